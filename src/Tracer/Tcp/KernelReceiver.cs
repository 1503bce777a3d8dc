using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FlowTrace.Tracer.Tcp;

/// <summary>
/// Linux only: receives with <c>recvmsg</c> and the kernel's own software receive timestamps (SO_TIMESTAMPING), so
/// an arrival is stamped when the data reached this host, not when the reader thread woke up to take it. On a
/// virtual machine that wake-up alone can add a hundred microseconds to every received flight.
/// </summary>
internal sealed unsafe partial class KernelReceiver
{
    private const int SolSocket = 1;
    private const int SoTimestamping = 37;
    private const int TimestampingRxSoftware = 1 << 3;
    private const int TimestampingSoftware = 1 << 4;
    private const int Interrupted = 4;
    private const int BadDescriptor = 9;
    private const int ConnectionReset = 104;
    private const int TimedOut = 110;
    // Linux keeps receive timestamping behind a system-wide switch that it turns on when the first socket asks for it
    // and off when the last one closes; each turn patches kernel code on every CPU, which cost ~2 ms per trace (measured:
    // the gap between the TCP and TLS steps went from 2.2 to 0.8 ms with this socket open). One socket that asks for
    // timestamps and stays open for the process's life keeps the switch on. It is created once and never changed.
    private static readonly Lazy<Socket?> SwitchKeeper = new(KeepSwitchOn);
    private readonly Socket _socket;
    private readonly long _realtimeMinusMonotonicNs;
    private readonly byte[] _control = new byte[256];

    private KernelReceiver(Socket socket, long realtimeMinusMonotonicNs)
    {
        _socket = socket;
        _realtimeMinusMonotonicNs = realtimeMinusMonotonicNs;
    }

    /// <summary>
    /// Turns kernel receive timestamps on for <paramref name="socket"/>; null where that is not possible (not Linux,
    /// a stopwatch that is not the monotonic clock in nanoseconds, or the option refused), and the caller stamps itself.
    /// </summary>
    public static KernelReceiver? TryCreate(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (!OperatingSystem.IsLinux() || Stopwatch.Frequency != 1_000_000_000)
            return null;
        _ = SwitchKeeper.Value;
        return TryEnableTimestamps(socket) ? new KernelReceiver(socket, RealtimeMinusMonotonic()) : null;
    }

    /// <summary>
    /// A blocking receive into <paramref name="buffer"/>, like <see cref="Socket.Receive(byte[])"/>; 0 when the peer
    /// closed. <paramref name="arrivedAt"/> is the kernel's stamp of the data as a stopwatch timestamp, if it gave one
    /// (for TCP: of the last segment this call took).
    /// </summary>
    public int Receive(byte[] buffer, out long? arrivedAt)
    {
        var handle = _socket.SafeHandle;
        var added = false;
        // The reference keeps the descriptor open while blocked; disposing the socket then shuts it down, which
        // ends the call, instead of closing a descriptor number another socket could reuse.
        handle.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = buffer)
            fixed (byte* control = _control)
            {
                var vector = new IoVector { Base = data, Length = (nuint)buffer.Length };
                var header = new MessageHeader { Iov = &vector, IovLength = 1, Control = control, ControlLength = (nuint)_control.Length };
                nint read;
                do
                {
                    read = RecvMsg((int)handle.DangerousGetHandle(), &header, 0);
                }
                while (read < 0 && Marshal.GetLastPInvokeError() == Interrupted);

                if (read < 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    if (error == BadDescriptor)
                        throw new ObjectDisposedException(nameof(Socket));
                    throw new SocketException((int)(error switch
                    {
                        ConnectionReset => SocketError.ConnectionReset,
                        TimedOut => SocketError.TimedOut,
                        _ => SocketError.SocketError,
                    }));
                }

                arrivedAt = read > 0 ? Timestamp(control, (int)header.ControlLength) : null;
                return (int)read;
            }
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    private long? Timestamp(byte* control, int length)
    {
        // struct cmsghdr { size_t len; int level; int type; } with its data 8-byte aligned after it; the timestamping
        // message carries three struct timespec, the first being the software timestamp (CLOCK_REALTIME).
        var offset = 0;
        while (offset + 16 <= length)
        {
            var messageLength = (int)*(nuint*)(control + offset);
            var level = *(int*)(control + offset + 8);
            var type = *(int*)(control + offset + 12);
            if (messageLength < 16 || offset + messageLength > length)
                break;
            if (level == SolSocket && type == SoTimestamping && messageLength >= 16 + 16)
            {
                var seconds = *(long*)(control + offset + 16);
                var nanoseconds = *(long*)(control + offset + 24);
                if (seconds == 0 && nanoseconds == 0)
                    return null;
                return seconds * 1_000_000_000 + nanoseconds - _realtimeMinusMonotonicNs;
            }

            offset += (messageLength + 7) & ~7;
        }

        return null;
    }

    private static Socket? KeepSwitchOn()
    {
        var keeper = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (TryEnableTimestamps(keeper))
            return keeper;
        keeper.Dispose();
        return null;
    }

    private static bool TryEnableTimestamps(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(SolSocket, SoTimestamping, BitConverter.GetBytes(TimestampingRxSoftware | TimestampingSoftware));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>CLOCK_REALTIME minus the stopwatch (CLOCK_MONOTONIC), from the tightest of a few bracketed readings.</summary>
    private static long RealtimeMinusMonotonic()
    {
        var best = long.MaxValue;
        var difference = 0L;
        for (var i = 0; i < 5; i++)
        {
            var before = Stopwatch.GetTimestamp();
            var realtime = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            var after = Stopwatch.GetTimestamp();
            if (after - before < best)
            {
                best = after - before;
                difference = realtime - (before + (after - before) / 2);
            }
        }

        return difference;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int socket, MessageHeader* header, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }
}
