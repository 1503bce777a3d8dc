using FlowTrace.Contracts.Sni;
using FlowTrace.Tracer.Sni;

namespace FlowTrace.Server.Tracing;

/// <summary>Turns an SNI comparison request from the network into the tracer's: lab routing and validation.</summary>
public sealed class SniRequestFactory(LabHost labHost)
{
    /// <summary>Builds the request; <paramref name="errors"/> says what is wrong when it returns null.</summary>
    public SniComparisonRequest? Create(SniComparisonMessage message, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.Target))
        {
            errors = ["'target' is required."];
            return null;
        }

        var lab = labHost.Lab;
        var hostCheck = (message.HostCheckSni, message.HostCheckHost) switch
        {
            (null, null) => ((string, string)?)null,
            (string sni, string host) => (sni, host),
            _ => ("", ""),
        };
        var request = new SniComparisonRequest
        {
            Target = message.Target,
            Names = message.Names ?? [],
            IncludeNoSni = message.IncludeNoSni ?? true,
            DnsServer = message.DnsServer ?? lab?.DnsEndPoint.ToString(),
            DnsServerZones = message.DnsServer is null && lab is not null ? [lab.Zone] : [],
            ExtraTrustedRoots = lab is not null ? [lab.CaCertificate] : [],
            HostCheck = hostCheck,
        };
        errors = SniComparer.Validate(request);
        return errors.Count == 0 ? request : null;
    }
}
