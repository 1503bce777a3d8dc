using System.Security.Cryptography;

namespace FlowTrace.Server.Tracing;

/// <summary>
/// A secret of this process that marks the server's own warm-up request (<see cref="TracerUpkeep"/>), so that it is not
/// counted as a client's: the rate limit is for people, and the first person on a local server would otherwise find
/// one trace of their minute already spent. It never leaves the process.
/// </summary>
public sealed class WarmUpKey
{
    /// <summary>The header the warm-up request carries the key in.</summary>
    public const string Header = "X-FlowTrace-Warm-Up";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>The key as the header's value.</summary>
    public string Value => Convert.ToBase64String(_key);

    /// <summary>True when <paramref name="request"/> is the server's own warm-up request.</summary>
    public bool Marks(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers[Header] is not [{ } value])
            return false;
        Span<byte> given = stackalloc byte[32];
        return Convert.TryFromBase64String(value, given, out var written) && written == _key.Length &&
               CryptographicOperations.FixedTimeEquals(given, _key);
    }
}
