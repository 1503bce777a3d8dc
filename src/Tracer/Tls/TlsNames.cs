using System.Collections.Frozen;
using System.Reflection;
using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>Names for TLS numbers: BouncyCastle keeps cipher suites as bare integer constants, so the table is built here.</summary>
internal static class TlsNames
{
    private static readonly FrozenDictionary<int, string> CipherSuites = typeof(CipherSuite)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(int) && f.Name.StartsWith("TLS_", StringComparison.Ordinal))
        .GroupBy(f => (int)f.GetRawConstantValue()!)
        .ToFrozenDictionary(g => g.Key, g => g.First().Name);

    public static string CipherSuiteName(int suite) =>
        CipherSuites.TryGetValue(suite, out var name) ? name : $"0x{suite:X4}";

    /// <summary>A signature scheme by its RFC 8446 name (rsa_pss_rsae_sha256, ecdsa_secp384r1_sha384, …).</summary>
    public static string SignatureSchemeName(int scheme) => SignatureScheme.GetName(scheme) is { } name && !name.StartsWith("UNKNOWN", StringComparison.Ordinal)
        ? name : $"0x{scheme:X4}";

    public static string GroupName(int group) => group < 0 ? "none" : NamedGroup.GetName(group) ?? $"0x{group:X4}";

    public static string ContentTypeName(byte type) => type switch
    {
        20 => "change_cipher_spec",
        21 => "alert",
        22 => "handshake",
        23 => "application_data",
        24 => "heartbeat",
        _ => $"unknown({type})",
    };

    public static string HandshakeTypeName(byte type) => HandshakeType.GetName(type) is { } name && !name.StartsWith("UNKNOWN", StringComparison.Ordinal)
        ? name
        : $"unknown({type})";

    public static string AlertName(short description) => AlertDescription.GetName(description);

    public static string AlertLevelName(short level) => level == AlertLevel.fatal ? "fatal" : "warning";

    public static string VersionName(int major, int minor) => (major, minor) switch
    {
        (3, 0) => "SSL 3.0",
        (3, 1) => "TLS 1.0",
        (3, 2) => "TLS 1.1",
        (3, 3) => "TLS 1.2",
        (3, 4) => "TLS 1.3",
        _ => $"0x{major:X2}{minor:X2}",
    };

    public static string VersionName(ProtocolVersion? version) =>
        version is null ? "unknown" : VersionName(version.MajorVersion, version.MinorVersion);
}
