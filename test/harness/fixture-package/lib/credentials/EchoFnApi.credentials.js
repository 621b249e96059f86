'use strict';
// Fixture credential whose `authenticate` is a function (n8n allows both forms).
class EchoFnApi {
	constructor() {
		this.name = 'echoFnApi';
		this.displayName = 'Echo API (function auth)';
		this.properties = [
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:1' },
		];
	}

	async authenticate(credentials, requestOptions) {
		return {
			...requestOptions,
			headers: { ...(requestOptions.headers || {}), 'X-Fn-Token': `fn:${credentials.token}` },
		};
	}
}
module.exports = { EchoFnApi };
