using FlowTrace.Contracts.Requests;
using System.Globalization;
using System.Net;

namespace FlowTrace.Tracer.Tracing;

/// <summary>Checks a <see cref="TraceRequest"/> before anything reaches the network.</summary>
public static class TraceRequestValidator
{
    private const int MaxUrlLength = 2048;
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>Returns every problem with the request; an empty list means it can be traced.</summary>
    public static IReadOnlyList<string> Validate(TraceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<string>();
        try
        {
            ParseTarget(request.Url);
        }
        catch (TraceRequestException e)
        {
            errors.Add(e.Message);
        }

        if (request.Method is not ("GET" or "HEAD"))
            errors.Add($"Method '{request.Method}' is not supported; use GET or HEAD.");
        foreach (var (name, value) in request.Headers)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
                errors.Add($"Header name '{Printable(name)}' is not a valid HTTP token.");
            if (value.Any(c => c is '\r' or '\n' or '\0'))
                errors.Add($"Header '{Printable(name)}' has a CR, LF or NUL in its value.");
        }

        if (request.DnsServer is not null && !EndpointText.TryParse(request.DnsServer, 53, out _))
            errors.Add($"DNS server '{Printable(request.DnsServer)}' is not an IP address with an optional port.");
        if (request.ConnectTo is not null && !EndpointText.TryParseHostPort(request.ConnectTo, out _, out _))
            errors.Add($"Connect-to '{Printable(request.ConnectTo)}' is not HOST:PORT.");
        if (request.Sni == SniMode.Custom && !IsValidServerName(request.SniName))
            errors.Add($"SNI name '{Printable(request.SniName ?? "")}' is not a valid DNS name.");
        if (request.TlsVersions.Count == 0 || request.TlsVersions.Any(v => v is not ("1.2" or "1.3")))
            errors.Add("TLS versions must be a non-empty selection of 1.2 and 1.3.");
        if (request.Alpn.Any(a => string.IsNullOrEmpty(a) || a.Length > 255))
            errors.Add("ALPN protocol names must be 1 to 255 characters.");
        if (request.MaxRedirects is < 0 or > 50)
            errors.Add("Max redirects must be between 0 and 50.");
        if (request.MaxBodyBytes < 0)
            errors.Add("Max body bytes must not be negative.");
        if (request.RootServers is { } roots && (roots.Count == 0 || roots.Any(r => !EndpointText.TryParse(r, 53, out _))))
            errors.Add("Root servers must be one or more IP addresses with an optional port.");
        if (request.AgainOnSameConnection && request.AgainResumingSession)
            errors.Add("Again on the same connection and again resuming the TLS session are two different second requests; choose one.");
        var t = request.Timeouts;
        if (new[] { t.Dns, t.Connect, t.Tls, t.FirstByte, t.Download, t.Total }.Any(x => x <= TimeSpan.Zero))
            errors.Add("Timeouts must be positive.");
        return errors;
    }

    /// <summary>Parses and normalises a URL of a hop; throws <see cref="TraceRequestException"/> with one clear message.</summary>
    internal static TraceTarget ParseTarget(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
            throw new TraceRequestException("The URL is empty.");
        if (url.Length > MaxUrlLength)
            throw new TraceRequestException($"The URL is {url.Length} characters long; the limit is {MaxUrlLength}.");
        if (url.Any(c => c is '\r' or '\n' or '\0' or '\t'))
            throw new TraceRequestException("The URL contains a control character.");
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri))
            throw new TraceRequestException($"'{Printable(url)}' is not an absolute URL.");
        if (uri.Scheme is not ("http" or "https"))
            throw new TraceRequestException($"The scheme '{uri.Scheme}:' is not supported; only http and https can be traced.");
        var host = uri.Host;
        if (string.IsNullOrEmpty(host))
            throw new TraceRequestException("The URL has no host.");
        host = host.Trim('[', ']');
        if (uri.Port is < 1 or > 65535)
            throw new TraceRequestException($"Port {uri.Port} is out of range.");

        string asciiHost;
        if (IPAddress.TryParse(host, out var address))
        {
            asciiHost = address.ToString();
            host = asciiHost;
        }
        else
        {
            var unicodeHost = uri.IdnHost == host ? SafeUnicode(host) : host;
            try
            {
                asciiHost = Idn.GetAscii(host.TrimEnd('.')).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                throw new TraceRequestException($"The host '{Printable(host)}' is not a valid domain name.");
            }

            host = unicodeHost.TrimEnd('.');
        }

        return new TraceTarget(uri, host, asciiHost, uri.Port, uri.Scheme == "https");
    }

    private static string SafeUnicode(string asciiHost)
    {
        try
        {
            return Idn.GetUnicode(asciiHost.TrimEnd('.'));
        }
        catch (ArgumentException)
        {
            return asciiHost;
        }
    }

    /// <summary>True for a DNS name (IDNs allowed) that can be sent as SNI: not an IP address, labels of 1 to 63 characters.</summary>
    internal static bool IsValidServerName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || IPAddress.TryParse(name, out _))
            return false;
        try
        {
            var ascii = Idn.GetAscii(name.TrimEnd('.'));
            return ascii.Length <= 253 && ascii.Split('.').All(label => label.Length is > 0 and <= 63);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>User input made safe to quote in a message: at most 80 characters, control characters replaced.</summary>
    internal static string Printable(string? text) =>
        new((text ?? "").Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
