using System.Globalization;
using System.Text;
using System.Text.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary>
/// curl's <c>-w/--write-out</c>: the same variable names with the same meanings, read from a finished trace's events, so
/// that scripts written for curl work unchanged. Times are in seconds, as curl's: for one request, from its start; after
/// redirects each phase time adds up what every request spent until that phase ended (curl's own arithmetic),
/// <c>time_redirect</c> is when the final request began and <c>time_total</c> when its response ended.
/// </summary>
internal sealed class CurlWriteOut
{
    private readonly Dictionary<string, object> _values;

    private CurlWriteOut(Dictionary<string, object> values) => _values = values;

    /// <summary>The variables this implementation knows, in curl's names.</summary>
    public static IReadOnlyList<string> Variables { get; } =
    [
        "time_namelookup", "time_connect", "time_appconnect", "time_pretransfer", "time_starttransfer", "time_total", "time_redirect",
        "remote_ip", "remote_port", "local_ip", "local_port", "http_code", "response_code", "http_version", "ssl_verify_result",
        "num_connects", "num_redirects", "size_download", "size_header", "size_request", "url_effective", "scheme", "method", "exitcode",
    ];

    /// <summary>Reads the variables from the events of one trace (its last event being the summary).</summary>
    public static CurlWriteOut From(IReadOnlyList<TraceEvent> events, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(events);
        var summary = events.Select(e => e.Details).OfType<TraceSummary>().LastOrDefault();
        var lastHop = events.Count == 0 ? 0 : events.Max(e => e.Hop);
        var hop = events.Where(e => e.Hop == lastHop).ToList();
        // When each request of the journey began: its first event (the first request at zero).
        var hopStarts = events.GroupBy(e => e.Hop).ToDictionary(g => g.Key, g => g.Key == 0 ? TimeSpan.Zero : g.First().Offset);
        // curl's phase times add up over the requests of a journey: each request adds the time from its own start to the
        // end of that phase, if the phase happened in it (a reused connection makes no DNS query, connection or
        // handshake). With a single request that is simply the time from the start.
        var reusedHops = events.Where(e => e.Details is TcpConnectedDetails { Reused: true }).Select(e => e.Hop).ToHashSet();
        double Sum(TraceStep step, bool atStart = false) => summary?.Steps
            .Where(s => s.Step == step && (atStart || s.Succeeded) && hopStarts.ContainsKey(s.Hop)
                        && !(reusedHops.Contains(s.Hop) && step is TraceStep.Dns or TraceStep.Tcp or TraceStep.Tls))
            .Sum(s => ((atStart ? s.Start : s.Start + s.Duration) - hopStarts[s.Hop]).TotalSeconds) ?? 0;
        double End(TraceStep step) => summary?.Steps.LastOrDefault(s => s.Hop == lastHop && s.Step == step && s.Succeeded) is { } timing
            ? (timing.Start + timing.Duration).TotalSeconds : 0;
        var connected = hop.Select(e => e.Details).OfType<TcpConnectedDetails>().LastOrDefault();
        var tls = hop.Select(e => e.Details).OfType<TlsHandshakeDetails>().LastOrDefault();
        var request = hop.Select(e => e.Details).OfType<HttpRequestDetails>().LastOrDefault();
        var response = hop.Select(e => e.Details).OfType<HttpResponseDetails>().LastOrDefault();
        var started = events.Select(e => e.Details).OfType<TraceStartedDetails>().LastOrDefault();
        // "127.0.0.1:443" or "[::1]:443"; nothing when no connection was made, as curl's empty address and port 0.
        var (remoteIp, remotePort) = connected is not null && EndpointText.TryParseHostPort(connected.Remote, out var rh, out var rp) ? (rh, rp) : ("", 0);
        var (localIp, localPort) = connected is not null && EndpointText.TryParseHostPort(connected.Local, out var lh, out var lp) ? (lh, lp) : ("", 0);
        var values = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["time_namelookup"] = Sum(TraceStep.Dns),
            ["time_connect"] = Sum(TraceStep.Tcp),
            ["time_appconnect"] = Sum(TraceStep.Tls),
            ["time_pretransfer"] = Sum(TraceStep.HttpRequest, atStart: true),
            ["time_starttransfer"] = Sum(TraceStep.ServerProcessing),
            // curl's total ends with the transfer; closing the connection (Connection handling) comes after it.
            ["time_total"] = End(TraceStep.HttpResponse) is > 0 and var transferred ? transferred : summary?.Total.TotalSeconds ?? 0,
            ["time_redirect"] = hopStarts.GetValueOrDefault(lastHop).TotalSeconds,
            ["remote_ip"] = remoteIp,
            ["remote_port"] = remotePort,
            ["local_ip"] = localIp,
            ["local_port"] = localPort,
            ["http_code"] = response?.StatusCode ?? 0,
            ["response_code"] = response?.StatusCode ?? 0,
            ["http_version"] = response?.Version.Replace("HTTP/", "", StringComparison.Ordinal) switch { "1.0" => "1", { } v => v, null => "0" },
            ["ssl_verify_result"] = tls is null ? 0 : VerifyResult(tls),
            ["num_connects"] = events.Select(e => e.Details).OfType<TcpConnectedDetails>().Count(c => !c.Reused),
            ["num_redirects"] = lastHop,
            ["size_download"] = response?.BodyBytes ?? 0,
            ["size_header"] = response?.HeadBytes ?? 0,
            ["size_request"] = request?.Bytes ?? 0,
            ["url_effective"] = summary?.FinalUrl ?? started?.Url ?? "",
            ["scheme"] = (started?.Scheme ?? "").ToUpperInvariant(),
            ["method"] = started?.Method ?? "",
            ["exitcode"] = exitCode,
        };
        return new CurlWriteOut(values);
    }

    /// <summary>Writes <paramref name="format"/> with its variables replaced, as curl does: <c>%{name}</c>, <c>%{json}</c>,
    /// <c>%%</c>, and the escapes <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\\</c>; an unknown variable writes nothing and is
    /// reported on <paramref name="warnings"/>.</summary>
    public string Format(string format, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(warnings);
        var text = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '%' && i + 1 < format.Length && format[i + 1] == '%')
            {
                text.Append('%');
                i++;
            }
            else if (c == '%' && i + 1 < format.Length && format[i + 1] == '{' && format.IndexOf('}', i + 2) is var close and > 0)
            {
                var name = format[(i + 2)..close];
                if (name == "json")
                    text.Append(Json());
                else if (_values.TryGetValue(name, out var value))
                    // curl writes status codes with three digits: 000 when no response came.
                    text.Append(name is "http_code" or "response_code" ? ((int)value).ToString("000", CultureInfo.InvariantCulture) : Text(value));
                else
                    warnings.WriteLine($"flowtrace: unknown --write-out variable: '{name}'");
                i = close;
            }
            else if (c == '\\' && i + 1 < format.Length && format[i + 1] is 'n' or 'r' or 't' or '\\')
            {
                text.Append(format[++i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', _ => '\\' });
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>All variables as one JSON object, as curl's <c>%{json}</c>.</summary>
    public string Json()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach (var (name, value) in _values)
            {
                switch (value)
                {
                    case string s:
                        json.WriteString(name, s);
                        break;
                    case double d:
                        // As a decimal, so that 30 µs reads 0.00003 as curl writes it, not 3E-05.
                        json.WriteNumber(name, Math.Round((decimal)d, 6));
                        break;
                    case int n:
                        json.WriteNumber(name, n);
                        break;
                    case long n:
                        json.WriteNumber(name, n);
                        break;
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A value as curl writes it: seconds with six decimals, numbers and text as they are.</summary>
    private static string Text(object value) => value switch
    {
        double seconds => seconds.ToString("0.000000", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>curl reports OpenSSL's verification code (X509_V_*), 0 when the certificate checks out.</summary>
    private static int VerifyResult(TlsHandshakeDetails tls) =>
        tls.Findings.FirstOrDefault(f => f.Severity == FindingSeverity.Error)?.Code switch
        {
            null => 0,
            "not-yet-valid" => 9, // X509_V_ERR_CERT_NOT_YET_VALID
            "expired" => 10, // X509_V_ERR_CERT_HAS_EXPIRED
            "self-signed" => 18, // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
            "untrusted-root" => 19, // X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
            "incomplete-chain" => 20, // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
            "name-mismatch" => 62, // X509_V_ERR_HOSTNAME_MISMATCH
            "ocsp-revoked" => 23, // X509_V_ERR_CERT_REVOKED
            _ => 1, // X509_V_ERR_UNSPECIFIED
        };
}
