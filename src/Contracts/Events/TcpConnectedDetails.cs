namespace FlowTrace.Contracts.Events;

/// <summary>The connection the rest of the hop uses.</summary>
/// <param name="Local">Local endpoint.</param>
/// <param name="Remote">Remote endpoint.</param>
/// <param name="Attempts">How many addresses were tried.</param>
/// <param name="HandshakeTime">The winning attempt's three-way handshake (SYN→SYN/ACK): the kernel's own measurement
/// where it has one (Linux, no retransmitted SYN), else the duration of the connect call.</param>
/// <param name="NoDelay">Whether Nagle's algorithm is off (it is: it would distort later timings).</param>
/// <param name="KernelRtt">The kernel's smoothed RTT estimate (Linux TCP_INFO), when available.</param>
/// <param name="Reused">True when the connection was kept alive from an earlier hop.</param>
public sealed record TcpConnectedDetails(
    string Local,
    string Remote,
    int Attempts,
    TimeSpan HandshakeTime,
    bool NoDelay,
    TimeSpan? KernelRtt,
    bool Reused) : TraceEventDetails;
