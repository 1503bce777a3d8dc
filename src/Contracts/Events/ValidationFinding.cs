namespace FlowTrace.Contracts.Events;

/// <summary>One thing certificate validation found.</summary>
/// <param name="Code">A stable code: name-mismatch, expired, not-yet-valid, untrusted-root (the chain stops at a root nobody here trusts), incomplete-chain (the issuer of the last certificate sent is unknown), chain-order (sent out of order; informational), weak-key (RSA under 2048 bits), weak-signature (SHA-1, MD5), self-signed, chain-error.</param>
/// <param name="Severity">Error means a browser would refuse the connection.</param>
/// <param name="Message">What was found, in plain words.</param>
public sealed record ValidationFinding(string Code, FindingSeverity Severity, string Message);

/// <summary>How serious a validation finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing; a browser would still connect.</summary>
    Info,
    /// <summary>A browser would refuse this certificate.</summary>
    Error,
}
