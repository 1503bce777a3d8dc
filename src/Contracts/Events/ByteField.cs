namespace FlowTrace.Contracts.Events;

/// <summary>One field of a message's bytes, named, decoded and explained (a hex view outlines it).</summary>
/// <param name="Offset">Where it starts in the message's bytes.</param>
/// <param name="Length">How many bytes it takes.</param>
/// <param name="Name">What the field is, e.g. <c>Cipher suite</c>, <c>Extension: server_name</c>.</param>
/// <param name="Value">Its value decoded, e.g. <c>TLS_AES_128_GCM_SHA256 (0x1301)</c>.</param>
/// <param name="Explanation">What it is for, in one line (empty where the name says it).</param>
/// <param name="Code">The number it carries where it is a code (a cipher suite, an extension type, a group), for
/// comparing with other tools.</param>
/// <param name="Fields">The fields inside it (an extension's parts), or empty.</param>
public sealed record ByteField(int Offset, int Length, string Name, string Value, string Explanation, long? Code, IReadOnlyList<ByteField> Fields)
{
    /// <summary>The bytes a dump shows on this field's own line, taken from <paramref name="message"/> (and never past
    /// its end): all of them, or, when it has parts, those before the first part (its type and length headers); the
    /// parts show the rest.</summary>
    public ArraySegment<byte> OwnBytes(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var own = Fields.Count > 0 ? Math.Max(0, Fields[0].Offset - Offset) : Length;
        var start = Math.Clamp(Offset, 0, message.Length);
        return new ArraySegment<byte>(message, start, Math.Clamp(own, 0, message.Length - start));
    }
}
