using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server.Tracing;

/// <summary>Turns a request from the network into a tracer request: defaults, lab routing, validation.</summary>
public sealed class TraceRequestFactory(LabHost labHost, IOptions<FlowTraceServerOptions> options)
{
    /// <summary>Why a repeated trace cannot run in step mode.</summary>
    public const string RepeatWithStepMode = "Step mode runs a trace once: ask for 'repeat' or 'stepMode', not both.";

    /// <summary>Builds the tracer's request; <paramref name="errors"/> lists what is wrong when it returns null.</summary>
    public TraceRequest? Create(TraceRequestMessage message, Func<FlowTrace.Contracts.Events.TraceStep, CancellationToken, ValueTask>? pause, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.Url))
        {
            errors = ["'url' is required."];
            return null;
        }

        if (message.Repeat is { } repeat && (repeat < 1 || repeat > RepeatStatistics.MaxRuns))
        {
            errors = [$"'repeat' must be between 1 and {RepeatStatistics.MaxRuns} (it was {repeat})."];
            return null;
        }

        if (message.Repeat > 1 && message.StepMode == true)
        {
            errors = [RepeatWithStepMode];
            return null;
        }

        IReadOnlyList<byte[]> trusted = [];
        if (!string.IsNullOrWhiteSpace(message.TrustedRoots))
        {
            try
            {
                trusted = FlowTrace.Tracer.Tls.TrustedRoots.FromPem(message.TrustedRoots);
            }
            catch (FormatException e)
            {
                errors = [$"'trustedRoots': {e.Message}"];
                return null;
            }
        }

        var lab = labHost.Lab;
        var defaults = new TraceRequest { Url = message.Url };
        var stepMode = message.StepMode == true && pause is not null;
        var request = HttpVersions.Apply(defaults with
        {
            Method = message.Method?.ToUpperInvariant() ?? defaults.Method,
            Headers = message.Headers?.Select(h => new KeyValuePair<string, string>(h.Key, h.Value)).ToList() ?? [],
            DnsServer = message.DnsServer ?? lab?.DnsEndPoint.ToString(),
            // Lab names go to the lab's DNS server; every other name to the system's resolvers.
            DnsServerZones = message.DnsServer is null && lab is not null ? [lab.Zone] : [],
            AddressFamily = message.AddressFamily ?? AddressFamilyPreference.Any,
            Sni = message.Sni ?? SniMode.UrlHost,
            SniName = message.SniName,
            FollowRedirects = message.FollowRedirects ?? true,
            AgainOnSameConnection = message.AgainOnSameConnection ?? false,
            AgainResumingSession = message.AgainResumingSession ?? false,
            ResolveFromRoot = message.ResolveFromRoot ?? false,
            RootServers = message.ResolveFromRoot == true && message.DnsServer is null ? lab?.RootServerAddresses : null,
            MaxRedirects = message.MaxRedirects ?? defaults.MaxRedirects,
            ConnectTo = message.ConnectTo,
            ExtraTrustedRoots = [.. lab is not null ? [lab.CaCertificate] : Array.Empty<byte[]>(), .. trusted],
            PauseAfterStep = stepMode ? pause : null,
            Timeouts = stepMode ? defaults.Timeouts with { Total = options.Value.StepModeTotalTimeout } : defaults.Timeouts,
        }, message.HttpVersion ?? HttpVersionPreference.Http2OrHttp11);
        errors = TraceRequestValidator.Validate(request);
        return errors.Count == 0 ? request : null;
    }
}
