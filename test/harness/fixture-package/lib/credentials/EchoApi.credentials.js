'use strict';
// Fixture credential: generic authenticate block with expressions (header + query string).
class EchoApi {
	constructor() {
		this.name = 'echoApi';
		this.displayName = 'Echo API';
		this.properties = [
			{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:1' },
			{ displayName: 'Region', name: 'region', type: 'string', default: 'eu' },
			// hidden field computed from the others, as real credential types do
			{ displayName: 'API URL', name: 'apiUrl', type: 'hidden', default: '={{$self["baseUrl"]}}/api/{{$self["region"]}}' },
		];
		this.authenticate = {
			type: 'generic',
			properties: {
				headers: {
					Authorization: '=Bearer {{$credentials.apiKey}}',
					'X-Region': '={{$credentials.region}}',
				},
				qs: { keyPrefix: '={{$credentials.apiKey.slice(0, 3)}}' },
			},
		};
	}
}
module.exports = { EchoApi };
