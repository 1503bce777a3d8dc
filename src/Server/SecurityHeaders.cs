namespace FlowTrace.Server;

/// <summary>Security headers on every response; the CSP is the narrowest the Blazor WebAssembly app runs under.</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    // The host page has no inline script (the client keeps plain file names, so no import map is inlined);
    // 'wasm-unsafe-eval' lets the browser compile the .NET runtime's WebAssembly.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Adds the headers, then runs the rest of the pipeline.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return next(context);
    }
}
