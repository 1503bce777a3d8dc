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

    public const string Usage = """
        Usage: flowtrace URL [options]
               flowtrace --lab [SITE]        trace a lab site by name (no SITE: list them)
               flowtrace sni HOST[:PORT] NAME... [--json]   which certificate for which SNI name (sni --help)

        Options:
          --dns HOST:PORT        ask this DNS server (default: the system's resolvers)
          --sni NAME             send NAME as SNI instead of the URL's host
          --no-sni               send no SNI at all
          --connect-to HOST:PORT connect here instead, keeping SNI and Host from the URL
          --ipv4 | --ipv6        use one address family only
          --head                 send HEAD instead of GET
          --header 'Name: value' add a request header (repeatable)
          --no-redirects         do not follow redirects
          --lab                  start the offline demo lab in-process; lab names resolve through it
          --cacert FILE          also trust the CA certificate(s) in FILE (PEM or DER), as curl's --cacert
          --repeat N             trace N times, each on a new connection, then per step the first run
                                 beside the median, p95, min and max of the others (N up to 100)
          --json                 print the events as JSON, one object per line
          --version              print the version
          -h, --help             show this help
        Exit code: 0 when the trace completed (whatever the HTTP status), 1 when a step failed, 2 for bad input.
        """;

    /// <summary>Parses arguments; throws <see cref="ArgumentException"/> with a one-line reason.</summary>
    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var result = new CliArguments();
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new ArgumentException($"{arg} needs a value.");
            result = arg switch
            {
                "-h" or "--help" => result with { Help = true },
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
