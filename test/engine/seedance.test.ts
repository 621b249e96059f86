/**
 * Seedance 2.0 media (ima-pro, ima-pro-fast) in n8n's engine: reference videos and audio from
 * binaries and URLs, src_* read from the files, every limit and IMA's asset check before any
 * paid call.
 */
import { jpeg, mp3, mp4, png, wav } from '../support/mediaFiles';
import { generate, linear, model, run, useSimulator, withItems, type Sim } from './setup';

const env = useSimulator();
let sim: Sim;
beforeEach(() => {
	sim = env.sim;
});

const bin = (bytes: Buffer, mimeType: string, fileName: string) => ({ data: bytes.toString('base64'), mimeType, fileName });
const tokens = () => sim.requests.filter((r: any) => r.route === 'uploadToken');
const verifies = () => sim.verifiesReceived();
const reference = (overrides: Record<string, unknown>) =>
	generate({ taskType: 'reference_image_to_video', model: model('ima-pro-fast'), ...overrides });

/** Nothing paid, nothing created. */
function nothingCharged() {
	expect(sim.createsReceived()).toHaveLength(0);
	expect(sim.creditsCharged).toBe(0);
	expect(sim.tasks.size).toBe(0);
}

describe('Reference Image to Video with videos and audio', () => {
	test('from binaries: uploaded with their fType, checked by IMA, described in src_*', async () => {
		const wf = withItems(
			linear(
				reference({
					imageInput: 'binary',
					binaryProperties: 'img',
					referenceMediaInput: 'binary',
					referenceVideoProperties: 'clip',
					referenceAudioProperties: 'voice',
					referenceVideoCoverProperties: 'cover',
				}),
			),
			[
				{
					json: {},
					binary: {
						img: bin(png(1024, 768), 'image/png', 'look.png'),
						clip: bin(mp4({ duration: 6.5, width: 1280, height: 720, fps: 30 }), 'video/mp4', 'clip.mp4'),
						voice: bin(mp3({ seconds: 4.2, xing: true }), 'audio/mpeg', 'voice.mp3'),
						cover: bin(jpeg(1280, 720), 'image/jpeg', 'cover.jpg'),
					},
				},
			],
		);
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(tokens().map((r: any) => [r.query.fType, r.query.fContentType])).toEqual([
			['picture', 'image/png'],
			['video', 'video/mp4'],
			['picture', 'image/jpeg'],
			['audio', 'audio/mpeg'],
		]);
		const body = sim.createsReceived()[0].body;
		const [img, clip, cover, voice] = tokens().map((_r: any, i: number) => [...sim.uploads.keys()][i]).map((k: string) => `${sim.cdnBaseUrl}/files/${k}`);
		expect(body.src_image).toEqual([{ url: img, width: 1024, height: 768 }]);
		expect(body.src_video).toEqual([{ url: clip, duration: 6, width: 1280, height: 720, cover }]);
		expect(body.src_audio).toEqual([{ url: voice, duration: 4 }]);
		expect(body.src_img_url).toEqual([img]);
		expect(body.parameters[0].parameters.input_images).toEqual([img, clip, voice]);
		// every input checked (not the cover), all before the create
		expect(verifies().map((r: any) => r.body.url)).toEqual([img, clip, voice]);
		const createTime = sim.createsReceived()[0].time;
		expect(verifies().every((r: any) => r.time <= createTime)).toBe(true);
		expect(sim.creditsCharged).toBeGreaterThan(0);
	});

	test('from URLs: read with a bounded GET, not uploaded; a video without a cover is sent with cover ""', async () => {
		const clip = sim.hostFile('clip.mov', mp4({ duration: 9.2, width: 1920, height: 1080, fps: 25, brand: 'qt  ', mdatBytes: 200_000 }), 'video/quicktime');
		const voice = sim.hostFile('voice.wav', wav(5, { rate: 16000 }), 'audio/wav');
		const wf = linear(reference({ imageInput: 'url', imageUrls: '', referenceMediaInput: 'url', referenceVideoUrls: clip, referenceAudioUrls: voice }));
		const result = await run(sim, wf);
		expect(result.error?.message).toBeUndefined();
		expect(tokens()).toHaveLength(0);
		const body = sim.createsReceived()[0].body;
		expect(body.src_image).toBeUndefined();
		expect(body.src_video).toEqual([{ url: clip, duration: 9, width: 1920, height: 1080, cover: '' }]);
		expect(body.src_audio).toEqual([{ url: voice, duration: 5 }]);
		// no image: src_img_url lists every input, as IMA's runtime sends it
		expect(body.src_img_url).toEqual([clip, voice]);
		expect(verifies().map((r: any) => r.body.url)).toEqual([clip, voice]);
	});

	test('Image to Video on Seedance 2.0: the image is described and checked too; a slow check is waited for', async () => {
		const photo = sim.hostFile('photo.webp', png(2000, 1000), 'image/png');
		sim.assetVerdict('*', { delayMs: 400 });
		const result = await run(sim, linear(generate({ taskType: 'image_to_video', model: model('ima-pro'), imageInput: 'url', imageUrls: photo })));
		expect(result.error?.message).toBeUndefined();
		const body = sim.createsReceived()[0].body;
		expect(body.src_image).toEqual([{ url: photo, width: 2000, height: 1000 }]);
		expect(verifies()).toHaveLength(1);
	});
});

describe('bad inputs fail before any paid call', () => {
	test('a video too long (binary): named, with the limit and the value; nothing uploaded', async () => {
		const wf = withItems(linear(reference({ imageInput: 'url', imageUrls: '', referenceMediaInput: 'binary', referenceVideoProperties: 'clip' })), [
			{ json: {}, binary: { clip: bin(mp4({ duration: 16.4 }), 'video/mp4', 'long.mp4') } },
		]);
		const result = await run(sim, wf);
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/reference video 1 "long\.mp4" \(binary property "clip"\) is 16\.4 s long; each video must be 2–15 s/);
		expect(result.error.description).toMatch(/nothing was charged/);
		nothingCharged();
		expect(tokens()).toHaveLength(0);
		expect(verifies()).toHaveLength(0);
	});

	test('videos too long in all (URLs)', async () => {
		const a = sim.hostFile('a.mp4', mp4({ duration: 8, moovFirst: true }), 'video/mp4');
		const b = sim.hostFile('b.mp4', mp4({ duration: 8 }), 'video/mp4');
		const result = await run(sim, linear(reference({ imageInput: 'url', imageUrls: '', referenceMediaInput: 'url', referenceVideoUrls: `${a}, ${b}` })));
		expect(result.error.message).toMatch(/reference videos are 16 s long in all; at most 15 s in all/);
		nothingCharged();
		expect(verifies()).toHaveLength(0);
	});

	test('too many references: refused before any file is read', async () => {
		const urls = [1, 2, 3, 4].map((i) => `https://media.example.com/v${i}.mp4`);
		const result = await run(sim, linear(reference({ imageInput: 'url', imageUrls: '', referenceMediaInput: 'url', referenceVideoUrls: urls.join('\n') })));
		expect(result.error.message).toMatch(/Too many reference videos: 4; Seedance 2.0 takes at most 3/);
		nothingCharged();
		expect(sim.requests.filter((r: any) => r.server === 'cdn')).toHaveLength(0);
	});

	test('a refused asset fails the item with IMA\'s reason; nothing charged', async () => {
		const clip = sim.hostFile('clip.mp4', mp4({ duration: 5 }), 'video/mp4');
		sim.assetVerdict(clip, { status: 'rejected', reason: 'the video shows a real person', code: 'E_FACE' });
		const result = await run(sim, linear(reference({ imageInput: 'url', imageUrls: '', referenceMediaInput: 'url', referenceVideoUrls: clip })));
		expect(result.status).toBe('error');
		expect(result.error.message).toMatch(/IMA's asset check refused reference video 1 .*: the video shows a real person/);
		expect(result.error.description).toMatch(/status "rejected" \(code E_FACE\)/);
		expect(result.error.description).toMatch(/nothing was charged/);
		nothingCharged();
	});

	test('an image too small for Seedance 2.0 (binary), before its upload', async () => {
		const wf = withItems(linear(generate({ taskType: 'image_to_video', model: model('ima-pro-fast'), imageInput: 'binary', binaryProperties: 'data' })), [
			{ json: {}, binary: { data: bin(png(64, 64), 'image/png', 'tiny.png') } },
		]);
		const result = await run(sim, wf);
		expect(result.error.message).toMatch(/image 1 "tiny\.png" \(binary property "data"\) is 64 px wide; images need 300–6000 px a side/);
		nothingCharged();
		expect(tokens()).toHaveLength(0);
	});

	test('a file that is not what it is given as', async () => {
		const wf = withItems(linear(reference({ imageInput: 'url', imageUrls: '', referenceMediaInput: 'binary', referenceAudioProperties: 'voice' })), [
			{ json: {}, binary: { voice: bin(mp4({ duration: 5 }), 'audio/mpeg', 'voice.mp3') } },
		]);
		const result = await run(sim, wf);
		expect(result.error.message).toMatch(/reference audio 1 "voice\.mp3" .* is an mp4 video, not an audio file \(mp3 or wav\)/);
		nothingCharged();
	});

	test('reference videos on a model that does not take them', async () => {
		const result = await run(sim, linear(generate({ taskType: 'reference_image_to_video', model: model('veo-3.1-generate-preview'), imageInput: 'url', imageUrls: 'https://x.example/a.png', referenceMediaInput: 'url', referenceVideoUrls: 'https://x.example/v.mp4' })));
		expect(result.error.message).toMatch(/takes no reference videos or audio: only Seedance 2.0/);
		nothingCharged();
	});
});
