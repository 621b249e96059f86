'use strict';
// Fixture node for the engine harness tests (plain JS, loaded by n8n-core's PackageDirectoryLoader).
// For each input item it:
//  (a) calls `httpRequestWithAuthentication(<credential type>, {url: baseUrl + path})`,
//  (b) outputs the headers/query the echo server saw,
//  (c) attaches a binary built with `prepareBinaryData` (Buffer or Readable),
//  (d) optionally polls until `pollForMs` elapses, sleeping with the execution cancel signal.
const { Readable } = require('stream');
const { NodeOperationError } = require('n8n-workflow');
const n8nWorkflow = require('n8n-workflow');

// n8n-workflow 2.11: `sleep(ms)` ignores a 2nd argument; `sleepWithAbort(ms, signal)` rejects on
// abort. Use the abortable one when the host has it, and re-check `signal.aborted` in any case.
// (Looked up at each call, so that a test can watch them.)
/** @param {number} ms @param {AbortSignal} [signal] */
const sleep = (ms, signal) => /** @type {any} */ (n8nWorkflow.sleep)(ms, signal);
/** @param {number} ms @param {AbortSignal} [signal] */
const abortableSleep = (ms, signal) =>
	typeof n8nWorkflow.sleepWithAbort === 'function' ? n8nWorkflow.sleepWithAbort(ms, signal) : sleep(ms, signal);

class Echo {
	constructor() {
		this.description = {
			displayName: 'Echo',
			name: 'echo',
			group: ['transform'],
			version: 1,
			description: 'Harness fixture node',
			defaults: { name: 'Echo' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [
				{ name: 'echoApi', required: false },
				{ name: 'echoFnApi', required: false },
			],
			properties: [
				{
					displayName: 'Credential Type',
					name: 'credentialType',
					type: 'options',
					options: [
						{ name: 'Generic', value: 'echoApi' },
						{ name: 'Function', value: 'echoFnApi' },
					],
					default: 'echoApi',
				},
				{ displayName: 'Path', name: 'path', type: 'string', default: '/x' },
				{ displayName: 'Binary Text', name: 'binaryText', type: 'string', default: 'hello binary' },
				{ displayName: 'Binary As Stream', name: 'binaryAsStream', type: 'boolean', default: false },
				{ displayName: 'Poll For (ms)', name: 'pollForMs', type: 'number', default: 0 },
				{ displayName: 'Poll Interval (ms)', name: 'pollIntervalMs', type: 'number', default: 100 },
				{ displayName: 'Use Plain Sleep', name: 'plainSleep', type: 'boolean', default: false },
				{ displayName: 'Fail With', name: 'failWith', type: 'string', default: '' },
				{ displayName: 'Own Abort After (ms)', name: 'ownAbortAfterMs', type: 'number', default: 0 },
			],
		};
	}

	async execute() {
		const items = this.getInputData();
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const failWith = this.getNodeParameter('failWith', i);
			if (failWith) {
				throw new NodeOperationError(this.getNode(), failWith, {
					itemIndex: i,
					description: 'fixture failure on purpose',
				});
			}

			const pollForMs = this.getNodeParameter('pollForMs', i);
			let polls = 0;
			if (pollForMs > 0) {
				const signal = this.getExecutionCancelSignal();
				const interval = this.getNodeParameter('pollIntervalMs', i);
				const doSleep = this.getNodeParameter('plainSleep', i) ? sleep : abortableSleep;
				const until = Date.now() + pollForMs;
				while (Date.now() < until) {
					if (signal && signal.aborted) {
						throw new NodeOperationError(this.getNode(), 'Polling canceled', { itemIndex: i });
					}
					await doSleep(interval, signal);
					polls++;
				}
			}

			const credType = this.getNodeParameter('credentialType', i);
			const creds = await this.getCredentials(credType);
			const ownAbortAfterMs = this.getNodeParameter('ownAbortAfterMs', i);
			const ownSignal = ownAbortAfterMs > 0 ? AbortSignal.timeout(ownAbortAfterMs) : undefined;
			const res = await this.helpers.httpRequestWithAuthentication.call(this, credType, {
				method: 'GET',
				url: `${creds.baseUrl}${this.getNodeParameter('path', i)}`,
				json: true,
				// n8n-core 2.11 replaces this with the execution cancel signal (see harness README)
				...(ownSignal ? { abortSignal: ownSignal } : {}),
			});

			const text = this.getNodeParameter('binaryText', i);
			const body = this.getNodeParameter('binaryAsStream', i)
				? Readable.from([Buffer.from(text.slice(0, 3)), Buffer.from(text.slice(3))])
				: Buffer.from(text);
			const binary = await this.helpers.prepareBinaryData(body, 'echo.txt', 'text/plain');

			out.push({
				json: { seen: res, input: items[i].json, polls, credApiUrl: creds.apiUrl, ...(ownSignal ? { ownSignalAborted: ownSignal.aborted } : {}) },
				binary: { data: binary },
				pairedItem: { item: i },
			});
		}
		return [out];
	}
}
module.exports = { Echo };
