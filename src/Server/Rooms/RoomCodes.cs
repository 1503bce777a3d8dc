using System.Security.Cryptography;

namespace FlowTrace.Server.Rooms;

/// <summary>Join codes: 6 characters drawn at random from an alphabet without look-alikes (no 0/O, 1/I/L), easy to read
/// off a projector and type on a phone; about 887 million codes.</summary>
public static class RoomCodes
{
    /// <summary>The characters a code is made of.</summary>
    public const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>The length of a code.</summary>
    public const int Length = 6;

    /// <summary>A new random code.</summary>
    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>The code as typed, upper-cased and without spaces or dashes, or null when it cannot be a code.</summary>
    public static string? Normalise(string? typed)
    {
        var code = new string((typed ?? "").Where(c => c is not (' ' or '-')).Select(char.ToUpperInvariant).ToArray());
        return code.Length == Length && code.All(Alphabet.Contains) ? code : null;
    }
}
