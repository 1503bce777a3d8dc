using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace FlowTrace.Server;

/// <summary>Security headers on every response; the CSP is the narrowest the Blazor WebAssembly app runs under.</summary>
public sealed partial class SecurityHeaders
{
    private readonly RequestDelegate _next;
    private readonly Lazy<string> _contentSecurityPolicy;

    /// <summary>Creates the middleware; the CSP is computed once from the app's host page.</summary>
    public SecurityHeaders(RequestDelegate next, IWebHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _next = next;
        _contentSecurityPolicy = new Lazy<string>(() => BuildPolicy(environment));
    }

    /// <summary>Adds the headers, then runs the rest of the pipeline.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = _contentSecurityPolicy.Value;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return _next(context);
    }

    private static string BuildPolicy(IWebHostEnvironment environment)
    {
        // The build writes an import map (fingerprinted module names) inline into index.html; it is allowed by its hash
        // and nothing else inline is. 'wasm-unsafe-eval' lets the browser compile the .NET runtime's WebAssembly.
        var hashes = "";
        var page = environment.WebRootFileProvider.GetFileInfo("index.html");
        if (page.Exists)
        {
            using var stream = page.CreateReadStream();
            using var reader = new StreamReader(stream);
            var html = reader.ReadToEnd();
            foreach (Match match in InlineScript().Matches(html))
                hashes += $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(match.Groups[1].Value)))}'";
        }

        return $"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; " +
               "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }

    [GeneratedRegex("<script type=\"importmap\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();
}
