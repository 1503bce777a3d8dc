namespace FlowTrace.Testing;

/// <summary>Command-line arguments tests and benchmarks start a FlowTrace server with.</summary>
public static class ServerArguments
{
    /// <summary>Every lab port on a free one (port 0), so that servers started side by side never clash.</summary>
    public static IReadOnlyList<string> LabOnFreePorts { get; } =
    [
        "--FlowTrace:Lab:DnsPort=0", "--FlowTrace:Lab:HttpsPort=0", "--FlowTrace:Lab:Tls12Port=0", "--FlowTrace:Lab:HttpPort=0",
        "--FlowTrace:Lab:Http10Port=0", "--FlowTrace:Lab:ClosedPort=0", "--FlowTrace:Lab:HostileHttpPort=0", "--FlowTrace:Lab:HostileTlsPort=0",
        "--FlowTrace:Lab:Http2Port=0", "--FlowTrace:Lab:HostileHttp2Port=0",
    ];

    /// <summary>Keeps the server's traces in an SQLite file in <paramref name="directory"/> (a test's own temporary
    /// directory) instead of the content root's <c>data</c> folder.</summary>
    public static IReadOnlyList<string> StorageIn(string directory) => [$"--FlowTrace:Storage:DataDirectory={directory}"];
}
