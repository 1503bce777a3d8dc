using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Narrows what the client offers (key-exchange groups, cipher suites, signature algorithms) so that the warm-up can
/// make a server take each code path real servers take; null members keep BouncyCastle's defaults.
/// </summary>
internal sealed record TlsOffer(int[]? Groups = null, int[]? CipherSuites = null, SignatureAndHashAlgorithm[]? SignatureAlgorithms = null);
