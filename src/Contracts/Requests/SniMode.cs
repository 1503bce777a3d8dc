namespace FlowTrace.Contracts.Requests;

/// <summary>What to send as the TLS server name.</summary>
public enum SniMode
{
    /// <summary>The URL's host (as browsers do); no SNI for IP literals.</summary>
    UrlHost,
    /// <summary>A name of the caller's choosing.</summary>
    Custom,
    /// <summary>No SNI extension at all.</summary>
    None,
}
