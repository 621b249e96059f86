'use strict';
// The real IMA API credential (from the built package), re-exported so that this bench package
// can be loaded on its own by n8n-core's PackageDirectoryLoader (the harness's callNodeMethod
// takes the credential types of the package it loads). Needs `npm run build` first.
module.exports = require('../../../dist/credentials/ImaApi.credentials.js');
