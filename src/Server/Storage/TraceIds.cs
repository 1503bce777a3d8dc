using System.Buffers.Text;
using System.Security.Cryptography;

namespace FlowTrace.Server.Storage;

/// <summary>Ids for stored traces and browsers: 128 bits from the system's cryptographic generator, URL-safe base64
/// without padding (22 characters), so that nobody can guess or enumerate one.</summary>
public static class TraceIds
{
    /// <summary>The length of an id.</summary>
    public const int Length = 22;

    /// <summary>A new id.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="text"/> has an id's form (checked before any database is asked).</summary>
    public static bool IsWellFormed(string? text) =>
        text is { Length: Length } && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
