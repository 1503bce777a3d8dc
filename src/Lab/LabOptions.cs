namespace FlowTrace.Lab;

/// <summary>Where the lab listens. Port 0 means any free port (what tests use); the defaults are fixed so that lab URLs are stable.</summary>
public sealed record LabOptions
{
    /// <summary>The DNS zone the lab is authoritative for (RFC 2606 reserves .test).</summary>
    public string Zone { get; init; } = "lab.test";
    /// <summary>UDP and TCP port of the lab's DNS server.</summary>
    public int DnsPort { get; init; } = 47053;
    /// <summary>HTTPS port of the SNI-selected sites.</summary>
    public int HttpsPort { get; init; } = 47443;
    /// <summary>HTTPS port that speaks TLS 1.2 only.</summary>
    public int Tls12Port { get; init; } = 47444;
    /// <summary>Plain HTTP port.</summary>
    public int HttpPort { get; init; } = 47080;
    /// <summary>Port of the hand-written HTTP/1.0 server.</summary>
    public int Http10Port { get; init; } = 47010;
    /// <summary>Plain-HTTP port of the misbehaving server (behaviour chosen by path).</summary>
    public int HostileHttpPort { get; init; } = 47082;
    /// <summary>Port that speaks broken TLS (behaviour chosen by SNI name).</summary>
    public int HostileTlsPort { get; init; } = 47446;
    /// <summary>A port where nothing listens (connection refused); 0 picks one that is free now.</summary>
    public int ClosedPort { get; init; } = 47001;

    /// <summary>Port of the HTTPS listener that speaks HTTP/2 only.</summary>
    public int Http2Port { get; init; } = 47445;

    /// <summary>HTTPS port of the server that breaks HTTP/2 on purpose (behaviour chosen by SNI name).</summary>
    public int HostileHttp2Port { get; init; } = 47447;

    /// <summary>Options for tests: every port chosen by the system.</summary>
    public static LabOptions Ephemeral { get; } = new() { DnsPort = 0, HttpsPort = 0, Tls12Port = 0, HttpPort = 0, Http10Port = 0, ClosedPort = 0, HostileHttpPort = 0, HostileTlsPort = 0, Http2Port = 0, HostileHttp2Port = 0 };

    /// <summary>Checks the options; throws with a clear message when they cannot work.</summary>
    public void Validate()
    {
        foreach (var (name, port) in new[] { ("DnsPort", DnsPort), ("HttpsPort", HttpsPort), ("Tls12Port", Tls12Port), ("HttpPort", HttpPort), ("Http10Port", Http10Port), ("ClosedPort", ClosedPort), ("HostileHttpPort", HostileHttpPort), ("HostileTlsPort", HostileTlsPort), ("Http2Port", Http2Port), ("HostileHttp2Port", HostileHttp2Port) })
        {
            if (port is < 0 or > 65535)
                throw new ArgumentOutOfRangeException(name, port, $"Lab option {name} must be a port number (0 for any free port).");
        }

        if (string.IsNullOrWhiteSpace(Zone) || !Zone.EndsWith(".test", StringComparison.OrdinalIgnoreCase) && Zone != "test")
            throw new ArgumentException("The lab zone must be under .test (RFC 2606), so it can never collide with a real name.", nameof(Zone));
    }
}
