namespace FlowTrace.Tracer.Http2;

/// <summary>One HTTP/2 frame: its header's fields and payload (RFC 9113 §4.1).</summary>
internal sealed record Http2Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public const int HeaderLength = 9;
    public const byte Data = 0, Headers = 1, Priority = 2, RstStream = 3, Settings = 4, PushPromise = 5, Ping = 6, GoAway = 7, WindowUpdate = 8, Continuation = 9;
    public const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, PriorityFlag = 0x20;

    /// <summary>The frame's bytes: the 9-byte header, then the payload.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderLength + Payload.Length];
        bytes[0] = (byte)(Payload.Length >> 16);
        bytes[1] = (byte)(Payload.Length >> 8);
        bytes[2] = (byte)Payload.Length;
        bytes[3] = Type;
        bytes[4] = Flags;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(5), StreamId & 0x7FFFFFFF);
        Payload.CopyTo(bytes, HeaderLength);
        return bytes;
    }

    /// <summary>The type's name.</summary>
    public string TypeName => Http2Names.FrameType(Type);

    /// <summary>The flags set, by the names this frame type gives them.</summary>
    public string FlagNames => Http2Names.Flags(Type, Flags);
}
