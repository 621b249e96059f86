'use strict';
/**
 * BENCH ONLY: makes one item with a big binary without holding it in memory. Writes `size`
 * bytes (a PNG signature, then zeros) to a temp file in 1 MB chunks, hands n8n a read stream
 * (prepareBinaryData(stream): in filesystem mode n8n's BinaryDataService pipes it into its own
 * storage), then deletes the temp file. The item's binary then has an `id` into n8n's storage,
 * exactly like a binary made by Read/Write Files from Disk or an HTTP Request download.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function writeFile(file, size) {
	const chunk = Buffer.alloc(1024 * 1024);
	const fd = await fs.promises.open(file, 'w');
	try {
		let written = 0;
		while (written < size) {
			const n = Math.min(chunk.length, size - written);
			const buf = written === 0 ? Buffer.concat([PNG_SIGNATURE, chunk.subarray(PNG_SIGNATURE.length, n)]) : chunk.subarray(0, n);
			await fd.write(buf, 0, buf.length);
			written += n;
		}
	} finally {
		await fd.close();
	}
}

class BenchBigFile {
	constructor() {
		this.description = {
			displayName: 'Bench Big File (bench only)',
			name: 'benchBigFile',
			group: ['input'],
			version: 1,
			description: 'Makes a big binary in n8n storage without loading it in memory',
			defaults: { name: 'Big File' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [
				{ displayName: 'Size (Bytes)', name: 'size', type: 'number', default: 1048576 },
				{ displayName: 'File Name', name: 'fileName', type: 'string', default: 'big.png' },
				{ displayName: 'MIME Type', name: 'mimeType', type: 'string', default: 'image/png' },
			],
		};
	}

	async execute() {
		const size = Number(this.getNodeParameter('size', 0));
		const fileName = String(this.getNodeParameter('fileName', 0));
		const mimeType = String(this.getNodeParameter('mimeType', 0));
		const file = path.join(os.tmpdir(), `ima-bench-${process.pid}-${Date.now()}.bin`);
		await writeFile(file, size);
		try {
			const data = await this.helpers.prepareBinaryData(fs.createReadStream(file), fileName, mimeType);
			return [[{ json: { size }, binary: { data }, pairedItem: { item: 0 } }]];
		} finally {
			await fs.promises.rm(file, { force: true });
		}
	}
}

module.exports = { BenchBigFile };
