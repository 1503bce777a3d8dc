using System.Globalization;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary>The parsed command line.</summary>
internal sealed record CliArguments
{
    public string? Url { get; init; }
    public string? DnsServer { get; init; }
    public SniMode Sni { get; init; } = SniMode.UrlHost;
    public string? SniName { get; init; }
    public string? ConnectTo { get; init; }
    public AddressFamilyPreference Family { get; init; } = AddressFamilyPreference.Any;
    public bool Lab { get; init; }
    public bool Json { get; init; }
    public bool Help { get; init; }

    /// <summary>Print the version and exit.</summary>
    public bool Version { get; init; }
    public string Method { get; init; } = "GET";
    public bool NoRedirects { get; init; }
    public int Repeat { get; init; } = 1;
    public IReadOnlyList<string> CaCertificates { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>No ANSI colours even on a terminal.</summary>
    public bool NoColor { get; init; }

    /// <summary>curl's -w format, printed after the trace.</summary>
    public string? WriteOut { get; init; }

    /// <summary>curl's -s: no trace printed (a -w output still is) and no error line unless <see cref="ShowError"/>.</summary>
    public bool Silent { get; init; }

    /// <summary>curl's -S: the error line even when silent.</summary>
    public bool ShowError { get; init; }

    /// <summary>curl's --max-time: the whole trace's limit.</summary>
    public TimeSpan? MaxTime { get; init; }

    /// <summary>curl's --resolve entries (HOST:PORT:ADDRESS).</summary>
    public IReadOnlyList<string> Resolve { get; init; } = [];

    /// <summary>--har FILE: write the trace as an HTTP Archive (HAR 1.2) to FILE.</summary>
    public string? Har { get; init; }

    /// <summary>--again: then the same request again on the connection the first kept alive (warm against cold).</summary>
    public bool Again { get; init; }

    /// <summary>--again-resumed: then the same request again on a new connection, offering the TLS session back.</summary>
    public bool AgainResumed { get; init; }

    /// <summary>--http1.1, --http-auto, --http2, --http2-prior-knowledge: which HTTP to speak.</summary>
    public HttpVersionPreference HttpVersion { get; init; } = HttpVersionPreference.Http2OrHttp11;

    /// <summary>--from-root: resolve the name from the root, as dig +trace does.</summary>
    public bool FromRoot { get; init; }

    /// <summary>--bytes: after the trace, print the request heads' and the TLS hellos' bytes field by field, explained.</summary>
    public bool Bytes { get; init; }

    /// <summary>--commands: after the trace, print the curl and openssl s_client commands that repeat it.</summary>
    public bool Commands { get; init; }

    /// <summary>--store URL: keep the trace on the FlowTrace server at URL and print its permalink.</summary>
    public Uri? Store { get; init; }

    public const string Usage = """
        Usage: flowtrace URL [options]
               flowtrace --lab [SITE]        trace a lab site by name (no SITE: list them)
               flowtrace sni HOST[:PORT] NAME... [--json]   which certificate for which SNI name (sni --help)

        Options (curl's spellings work too):
          --dns HOST:PORT          ask this DNS server (default: the system's resolvers)
          --sni NAME               send NAME as SNI instead of the URL's host
          --no-sni                 send no SNI at all
          --connect-to HOST:PORT   connect here instead, keeping SNI and Host from the URL
          --resolve HOST:PORT:ADDR as curl: connect to ADDR for HOST:PORT, no DNS query
          -4, --ipv4 | -6, --ipv6  use one address family only
          -I, --head               send HEAD instead of GET
          -X, --request METHOD     GET or HEAD
          -H, --header 'Name: value'  add a request header (repeatable)
          --no-redirects           do not follow redirects (-L, --location is accepted: following is the default)
          -k, --insecure           accepted: certificate problems are findings, never a refusal
          --cacert FILE            also trust the CA certificate(s) in FILE (PEM or DER), as curl's --cacert
          -m, --max-time SECONDS   give up on the whole trace after SECONDS
          -w, --write-out FORMAT   after the trace, print FORMAT with curl's variables (%{time_connect},
                                   %{http_code}, %{json}, ...; @FILE reads it from FILE)
          -s, --silent             print no trace (a -w output still is) and no error line; -S, --show-error: the error line
          -o, --output /dev/null   accepted for curl scripts (FlowTrace keeps no body)
          --lab                    start the offline demo lab in-process; lab names resolve through it
          --repeat N               trace N times, each on a new connection, then per step the first run
                                   beside the median, p95, min and max of the others (N up to 100)
          --json                   print the events as JSON, one object per line
          --har FILE               also write the trace as an HTTP Archive (HAR 1.2: DevTools, WebPageTest)
          --store URL              keep the trace on the FlowTrace server at URL and print its permalink
          --commands               print the curl and openssl s_client commands that repeat the trace
          --again                  then send the same request again on the same connection (no DNS, TCP or TLS)
          --again-resumed          then send it again on a new connection, resuming the TLS session (TLS 1.2)
          --http1.1                speak HTTP/1.1 only (ALPN http/1.1)
          --http-auto              offer h2 and http/1.1 as browsers do: HTTP/2 where the server agrees (the default)
          --http2                  offer only h2 (HTTP/2)
          --http2-prior-knowledge  speak HTTP/2 without asking, on plain http:// too
          --from-root              resolve the name from the root, as dig +trace: root, top-level domain, the
                                   zone's own server, each query timed (root hints: /usr/share/dns/root.hints;
                                   lab names start from the lab's own root)
          --bytes                  print the DNS queries and answers, the request head, ClientHello and ServerHello
                                   byte by byte, each field named and explained
          --no-color               no colours (also: NO_COLOR set, or output not a terminal)
          --version                print the version
          -h, --help               show this help

        Examples:
          flowtrace https://example.com/
          flowtrace --lab                       list the lab's sites; then: flowtrace --lab www
          flowtrace https://example.com/ -s -o /dev/null -w '%{time_connect} %{time_appconnect} %{time_total}\n'
          flowtrace https://www.example.test/ --resolve www.example.test:443:127.0.0.1 --cacert ca.pem
          flowtrace https://example.com/ --repeat 10
          flowtrace https://example.com/ --har trace.har --store http://127.0.0.1:5080/

        Exit code: 0 when the trace completed (whatever the HTTP status), 1 when a step failed, 2 for bad input.
        """;

    private static Uri ParseServer(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--store takes a FlowTrace server's http(s) URL, such as http://127.0.0.1:5080/, not '{value}'.");

    /// <summary>Single-letter options that take a value, as curl's.</summary>
    private const string LettersWithValue = "HXwmo";

    /// <summary>Parses arguments; throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var result = new CliArguments();
        var headers = new List<KeyValuePair<string, string>>();
        args = Unbundle(args);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count && (!args[i + 1].StartsWith('-') || arg is "-w" or "--write-out" or "-H" or "--header")
                ? args[++i]
                : throw new ArgumentException($"{arg} needs a value.");
            result = arg switch
            {
                "-h" or "--help" => result with { Help = true },
                "-w" or "--write-out" => result with { WriteOut = Value() },
                "-s" or "--silent" => result with { Silent = true },
                "--no-color" => result with { NoColor = true },
                "-S" or "--show-error" => result with { ShowError = true },
                "-o" or "--output" => Value() is "/dev/null" ? result : throw new ArgumentException("FlowTrace keeps no body (the trace shows its first bytes): -o accepts /dev/null only."),
                "-m" or "--max-time" => result with { MaxTime = ParseSeconds(Value()) },
                "--resolve" => result with { Resolve = [.. result.Resolve, Value()] },
                "-L" or "--location" or "-k" or "--insecure" => result,
                "-X" or "--request" => result with { Method = Value().ToUpperInvariant() },
                "-I" => result with { Method = "HEAD" },
                "-H" => AddHeader(result, Value(), headers),
                "-4" => result.Family == AddressFamilyPreference.IPv6 ? throw new ArgumentException("--ipv4 and --ipv6 exclude each other.") : result with { Family = AddressFamilyPreference.IPv4 },
                "-6" => result.Family == AddressFamilyPreference.IPv4 ? throw new ArgumentException("--ipv4 and --ipv6 exclude each other.") : result with { Family = AddressFamilyPreference.IPv6 },
                "--version" => result with { Version = true },
                "--dns" => result with { DnsServer = Value() },
                "--sni" => result.Sni == SniMode.None ? throw new ArgumentException("--sni and --no-sni exclude each other.") : result with { Sni = SniMode.Custom, SniName = Value() },
                "--no-sni" => result.Sni == SniMode.Custom ? throw new ArgumentException("--sni and --no-sni exclude each other.") : result with { Sni = SniMode.None },
                "--connect-to" => result with { ConnectTo = Value() },
                "--ipv4" => result.Family == AddressFamilyPreference.IPv6 ? throw new ArgumentException("--ipv4 and --ipv6 exclude each other.") : result with { Family = AddressFamilyPreference.IPv4 },
                "--ipv6" => result.Family == AddressFamilyPreference.IPv4 ? throw new ArgumentException("--ipv4 and --ipv6 exclude each other.") : result with { Family = AddressFamilyPreference.IPv6 },
                "--head" => result with { Method = "HEAD" },
                "--no-redirects" => result with { NoRedirects = true },
                "--lab" => result with { Lab = true },
                "--json" => result with { Json = true },
                "--har" => result with { Har = Value() },
                "--commands" => result with { Commands = true },
                "--bytes" => result with { Bytes = true },
                "--again" => result with { Again = true },
                "--again-resumed" => result with { AgainResumed = true },
                "--from-root" => result with { FromRoot = true },
                "--http1.1" => result with { HttpVersion = HttpVersionPreference.Http11 },
                "--http-auto" => result with { HttpVersion = HttpVersionPreference.Http2OrHttp11 },
                "--http2" => result with { HttpVersion = HttpVersionPreference.Http2 },
                "--http2-prior-knowledge" => result with { HttpVersion = HttpVersionPreference.Http2PriorKnowledge },
                "--store" => result with { Store = ParseServer(Value()) },
                "--repeat" => result with { Repeat = ParseRepeat(Value()) },
                "--cacert" => result with { CaCertificates = [.. result.CaCertificates, Value()] },
                "--header" => AddHeader(result, Value(), headers),
                _ when arg.StartsWith('-') => throw new ArgumentException($"Unknown option {arg}. See --help."),
                _ when result.Url is null => result with { Url = arg },
                _ => throw new ArgumentException($"Unexpected argument '{arg}': only one URL can be traced at a time."),
            };
        }

        return result with { Headers = headers };
    }

    /// <summary>curl's bundled single-letter options: "-sSL" is "-s -S -L", "-so /dev/null" is "-s -o /dev/null" (a letter
    /// that takes a value ends the bundle).</summary>
    private static List<string> Unbundle(IReadOnlyList<string> args)
    {
        var expanded = new List<string>();
        foreach (var arg in args)
        {
            if (arg.Length <= 2 || arg[0] != '-' || arg[1] == '-' || !char.IsAsciiLetterOrDigit(arg[1]))
            {
                expanded.Add(arg);
                continue;
            }

            for (var j = 1; j < arg.Length; j++)
            {
                expanded.Add($"-{arg[j]}");
                if (LettersWithValue.Contains(arg[j], StringComparison.Ordinal) && j + 1 < arg.Length)
                {
                    // "-w%{http_code}" and "-HName: value": the rest of the word is the value.
                    expanded.Add(arg[(j + 1)..]);
                    break;
                }
            }
        }

        return expanded;
    }

    private static TimeSpan ParseSeconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"--max-time takes seconds from 0 to 3600 (decimals allowed), not '{value}'.");

    private static int ParseRepeat(string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= Contracts.Repeat.RepeatStatistics.MaxRuns
            ? n
            : throw new ArgumentException($"--repeat takes a whole number from 1 to {Contracts.Repeat.RepeatStatistics.MaxRuns}, not '{value}'.");

    private static CliArguments AddHeader(CliArguments result, string header, List<KeyValuePair<string, string>> headers)
    {
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            throw new ArgumentException($"--header '{header}' is not 'Name: value'.");
        headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        return result;
    }
}
