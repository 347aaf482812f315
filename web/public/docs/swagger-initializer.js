// Starts Swagger UI on /docs with this service's OpenAPI document. A file, not an inline
// script, so the page's CSP keeps `script-src 'self'`.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // No badge from the public validator: the page loads nothing from elsewhere.
    validatorUrl: 'none',
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    persistAuthorization: false
  });
};
