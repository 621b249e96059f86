/** A minimal n8n execution context for the item scheduler's unit tests. */
export function fakeCtx(count: number, continueOnFail = false) {
	return {
		getInputData: () => Array.from({ length: count }, (_, i) => ({ json: { i } })),
		continueOnFail: () => continueOnFail,
		getNode: () => ({ name: 'IMA', type: 'n8n-nodes-ima.ima', typeVersion: 1, parameters: {}, id: 'x', position: [0, 0] }),
	} as any;
}
