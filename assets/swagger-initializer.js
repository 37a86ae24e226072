// Swagger UI's settings for /api/docs/ (served from the binary; see src/http/openapi/mod.rs).
// validatorUrl "none": the default sends the document to validator.swagger.io for a badge.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/schema/",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: "none",
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
};
