using System.Text;

namespace FlowTrace.Tracer.Http;

/// <summary>Keeps the first bytes of a body so a trace can show which page answered, without keeping the body.</summary>
internal sealed class BodyPreview
{
    public const int Limit = FlowTrace.Contracts.Events.HttpResponseDetails.BodyPreviewMaxBytes;
    private readonly List<byte> _bytes = [];

    public void Add(ReadOnlySpan<byte> data)
    {
        var room = Limit - _bytes.Count;
        if (room > 0)
            _bytes.AddRange(data[..Math.Min(room, data.Length)]);
    }

    /// <summary>The bytes as text (invalid UTF-8 replaced), or null when the body was empty.</summary>
    public string? Text => _bytes.Count == 0 ? null : Encoding.UTF8.GetString([.. _bytes]);
}
