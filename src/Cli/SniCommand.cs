using System.Text.Json;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Sni;
using FlowTrace.Lab;
using FlowTrace.Tracer.Sni;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary><c>flowtrace sni HOST[:PORT] NAME... [--json] [--dns HOST:PORT] [--no-default] [--lab] [--host-check SNI HOST]</c>.</summary>
internal sealed class SniCommand(TextWriter output, TextWriter error, TracerOptions? tracerOptions, LabOptions? labOptions)
{
    public const string Usage = """
        Usage: flowtrace sni HOST[:PORT] NAME... [options]
          Handshakes with HOST once per NAME (sent as SNI) and once without SNI, and shows which certificate came back.
          --dns HOST:PORT         resolve HOST through this DNS server
          --no-default            skip the handshake without SNI
          --host-check SNI HOST   also send a request with SNI and Host header deliberately different
          --lab                   start the demo lab in-process (lab names resolve through it)
          --json                  one JSON object per line as each handshake finishes
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? target = null, dns = null;
        var names = new List<string>();
        bool json = false, lab = false, noDefault = false;
        (string, string)? hostCheck = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--lab": lab = true; break;
                case "--no-default": noDefault = true; break;
                case "--dns" when i + 1 < args.Count: dns = args[++i]; break;
                case "--host-check" when i + 2 < args.Count: hostCheck = (args[i + 1], args[i + 2]); i += 2; break;
                case "-h" or "--help":
                    await output.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 0;
                case var option when option.StartsWith('-'):
                    await error.WriteLineAsync($"flowtrace: unknown or incomplete option {option}. See sni --help.").ConfigureAwait(false);
                    return 2;
                case var word when target is null: target = word; break;
                case var word: names.Add(word); break;
            }
        }

        if (target is null)
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        DemoLab? demoLab = null;
        try
        {
            if (lab)
                demoLab = await DemoLab.StartAsync(labOptions ?? LabOptions.Ephemeral, cancellationToken).ConfigureAwait(false);
            if (demoLab is not null && !target.Contains(':', StringComparison.Ordinal) && target.EndsWith(demoLab.Zone, StringComparison.OrdinalIgnoreCase))
                target = $"{target}:{demoLab.Ports.Https}";
            var request = new SniComparisonRequest
            {
                Target = target,
                Names = names,
                IncludeNoSni = !noDefault,
                DnsServer = dns ?? demoLab?.DnsEndPoint.ToString(),
                DnsServerZones = dns is null && demoLab is not null ? [demoLab.Zone] : [],
                ExtraTrustedRoots = demoLab is not null ? [demoLab.CaCertificate] : [],
                HostCheck = hostCheck,
            };
            var errors = SniComparer.Validate(request);
            if (errors.Count > 0)
            {
                await error.WriteLineAsync($"flowtrace: {string.Join(" ", errors)}").ConfigureAwait(false);
                return 2;
            }

            SniComparisonSummary? summary = null;
            var comparer = new SniComparer(tracerOptions);
            await foreach (var update in comparer.CompareAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (json)
                    await output.WriteLineAsync(JsonSerializer.Serialize(update, TraceJson.TypeInfo<SniComparisonUpdate>())).ConfigureAwait(false);
                else
                    await output.WriteLineAsync(Describe(update)).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                summary = update as SniComparisonSummary ?? summary;
            }

            if (summary?.Failure is { } failure)
            {
                await error.WriteLineAsync($"flowtrace: {failure.Reason}").ConfigureAwait(false);
                return failure.Code == StepFailureDetails.InvalidRequest ? 2 : 1;
            }

            return summary!.FailedNames.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (demoLab is not null)
                await demoLab.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Describe(SniComparisonUpdate update) => update switch
    {
        SniProbeResult { Failure: { } failure } probe => $"{Name(probe.ServerName),-28} FAILED  {failure.Reason}",
        SniProbeResult probe =>
            $"{Name(probe.ServerName),-28} {probe.Certificate!.Sha256Fingerprint[..23]}  {probe.Version,-7} " +
            $"{(probe.CoversName switch { true => "covers name", false => "DOES NOT COVER", null => "(default)" }),-15} {probe.Certificate.Subject}",
        SniHostCheckResult check => $"SNI {check.ServerName} + Host {check.HostHeader}: " +
            (check.Failure is { } f ? $"failed: {f.Reason}" : $"{check.StatusCode}, certificate {check.CertificateSubject}, answer: {check.BodyPreview?.Trim().Split('\n')[0]}"),
        SniComparisonSummary summary => string.Join(Environment.NewLine,
            $"{summary.Groups.Count} distinct certificate(s) at {summary.Address}" + (summary.DefaultFingerprint is null ? "" : $"; default {summary.DefaultFingerprint[..23]}"),
            $"fall through to the default: {List(summary.FallThroughNames)}",
            $"certificate does not cover the name: {List(summary.MismatchedNames)}",
            $"handshake failed: {List(summary.FailedNames)}"),
        _ => update.ToString() ?? "",
    };

    private static string Name(string? serverName) => serverName ?? "(no SNI)";

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
}
