using FlowTrace.Contracts.Requests;

namespace FlowTrace.Client.Pages.Trace;

/// <summary>The form's fields, turned into a trace request message.</summary>
public sealed class TraceForm
{
    public string? Url { get; set; }
    public string? DnsServer { get; set; }
    public AddressFamilyPreference AddressFamily { get; set; } = AddressFamilyPreference.Any;
    public SniMode Sni { get; set; } = SniMode.UrlHost;
    public string? SniName { get; set; }
    public bool FollowRedirects { get; set; } = true;
    public bool StepMode { get; set; }
    public bool AgainOnSameConnection { get; set; }
    public bool AgainResumingSession { get; set; }
    public bool ResolveFromRoot { get; set; }
    public HttpVersionPreference HttpVersion { get; set; } = HttpVersionPreference.Http2OrHttp11;
    public int Repeat { get; set; } = 1;
    public string? TrustedRoots { get; set; }

    public TraceRequestMessage ToMessage() => new()
    {
        Url = Url?.Trim(),
        DnsServer = string.IsNullOrWhiteSpace(DnsServer) ? null : DnsServer.Trim(),
        AddressFamily = AddressFamily,
        Sni = Sni,
        SniName = Sni == SniMode.Custom ? SniName?.Trim() : null,
        FollowRedirects = FollowRedirects,
        StepMode = StepMode,
        AgainOnSameConnection = AgainOnSameConnection ? true : null,
        AgainResumingSession = AgainResumingSession ? true : null,
        ResolveFromRoot = ResolveFromRoot ? true : null,
        HttpVersion = HttpVersion == HttpVersionPreference.Http2OrHttp11 ? null : HttpVersion,
        Repeat = Repeat > 1 ? Repeat : null,
        TrustedRoots = string.IsNullOrWhiteSpace(TrustedRoots) ? null : TrustedRoots,
    };
}
