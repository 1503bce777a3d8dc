namespace FlowTrace.Contracts.Lab;

/// <summary>What a lab site teaches: the step to watch, or the hostile servers' lesson (failing cleanly).</summary>
public enum LabLesson
{
    /// <summary>The healthy site every other is compared with.</summary>
    Start,

    /// <summary>The DNS lookup.</summary>
    Dns,

    /// <summary>The TCP connection.</summary>
    Tcp,

    /// <summary>The TLS handshake and the certificate.</summary>
    Tls,

    /// <summary>The request, the server's wait and the response.</summary>
    Http,

    /// <summary>The end of the exchange: who closes, and whether the connection could be reused.</summary>
    Connection,

    /// <summary>Servers that misbehave on purpose.</summary>
    Hostile,
}
