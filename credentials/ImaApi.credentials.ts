import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ImaApi implements ICredentialType {
	name = 'imaApi';

	displayName = 'IMA API';

	icon: Icon = { light: 'file:../nodes/Ima/ima.svg', dark: 'file:../nodes/Ima/ima.dark.svg' };

	documentationUrl = 'https://github.com/imastudio/n8n-nodes-ima#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'ima_…',
			description: 'Your IMA Studio API key (starts with ima_)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.imastudio.com',
			description: 'The IMA API. Change it only for a proxy or a test server.',
		},
		{
			displayName: 'Upload Base URL',
			name: 'uploadBaseUrl',
			type: 'string',
			default: 'https://imapi.liveme.com',
			description:
				"IMA's upload service, used to turn images into public URLs. Change it only for a proxy or a test server.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/open/v1/product/list',
			method: 'GET',
			qs: { app: 'ima', platform: 'web', category: 'text_to_image' },
			// The key never follows a redirect to another origin (n8n's default would re-send it).
			sendCredentialsOnCrossOriginRedirect: false,
			headers: {
				'Content-Type': 'application/json',
				'x-app-source': 'ima_skills',
				x_app_language: 'en',
			},
		},
		rules: [
			// IMA answers a wrong or revoked key with HTTP 401 ({code: 401}); n8n applies
			// responseCode rules to error statuses.
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'IMA rejected the API key (code 401): check the key, or create a new one in IMA Studio',
				},
			},
		],
	};
}
