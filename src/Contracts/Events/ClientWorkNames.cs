namespace FlowTrace.Contracts.Events;

/// <summary>The names of the shares a step's client time is split into, and how each is said in words.</summary>
public static class ClientWorkNames
{
    /// <summary>The TLS engine's own work: building it, key exchange, signatures, record encryption.</summary>
    public const string TlsCrypto = "tls-crypto";

    /// <summary>Checking the server's certificate chain, name and dates.</summary>
    public const string CertificateValidation = "certificate-validation";

    /// <summary>.NET compiling code on first use (JIT) while the step ran.</summary>
    public const string Jit = "jit";

    /// <summary>Garbage-collection pauses while the step ran.</summary>
    public const string Gc = "gc";

    /// <summary>Everything else the tracer did: system calls, thread wake-ups, parsing, writing events.</summary>
    public const string Tracer = "tracer";

    /// <summary>A short phrase for a share's name, for pages and the command line.</summary>
    public static string Describe(string name) => name switch
    {
        TlsCrypto => "TLS cryptography",
        CertificateValidation => "certificate validation",
        Jit => ".NET compiling code on first use",
        Gc => "garbage-collection pauses",
        Tracer => "the tracer's own work",
        _ => name,
    };
}
