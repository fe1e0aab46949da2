using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Gateway.Relay;

/// <summary>
/// Relays the bytes of CONNECT tunnels between a client transport (Kestrel's
/// <c>ConnectionContext.Transport</c>) and an upstream socket the Dialer already connected.
/// </summary>
/// <remarks>
/// <para>
/// One instance per process (a singleton): it is stateless per tunnel except for the shared
/// idle heartbeat. Each <see cref="RunAsync"/> creates one <see cref="RelaySession"/>, the fixed
/// per-tunnel cost; moving a chunk allocates nothing. Sessions are not pooled: the heartbeat and
/// the caller's cancellation callback can still reach a session after its tunnel ended, and a
/// pooled session would need a generation check on every such path to be safe to reuse.
/// </para>
/// <para>
/// Idle detection (Kestrel's heartbeat idea): the hot loops only add to their byte counters;
/// one timer per relay walks the live sessions every heartbeat and ends those whose counters
/// have not moved for their idle timeout. The alternative, a <see cref="CancellationTokenSource"/>
/// per tunnel re-armed with <c>CancelAfter</c> after every chunk, costs a timer-queue lock and
/// a timer update per chunk per direction; here the per-chunk cost is a field increment and
/// the per-tunnel cost is one list insertion. An idle tunnel is closed no earlier than its idle
/// timeout and at most two heartbeats after it.
/// </para>
/// </remarks>
internal sealed class TunnelRelay : IDisposable
{
    /// <summary>The heartbeat used when none is given: idle timeouts are minutes, a second is precise enough.</summary>
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(1);

    private readonly ITimer _heartbeat;
    private readonly Lock _gate = new();
    private RelaySession? _head;
    private int _beating;
    private volatile bool _disposed;

    /// <summary>Creates a relay on the system clock with <see cref="DefaultHeartbeat"/>.</summary>
    public TunnelRelay()
        : this(TimeProvider.System, DefaultHeartbeat)
    {
    }

    /// <summary>Creates a relay whose idle heartbeat runs on <paramref name="timeProvider"/> every <paramref name="heartbeat"/>.</summary>
    public TunnelRelay(TimeProvider timeProvider, TimeSpan heartbeat)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(heartbeat, TimeSpan.Zero);
        Time = timeProvider;
        _heartbeat = timeProvider.CreateTimer(static state => ((TunnelRelay)state!).Beat(), this, heartbeat, heartbeat);
    }

    internal TimeProvider Time { get; }

    /// <summary>
    /// Relays both directions until both are finished, nothing moved for <paramref name="idleTimeout"/>,
    /// or <paramref name="cancellation"/> fires. Network failures end the relay with a
    /// <see cref="RelayEnd"/>; they are never thrown.
    /// </summary>
    /// <param name="client">
    /// The client transport. Bytes the caller left unconsumed in <c>client.Input</c> (pipelined
    /// after the CONNECT head) are relayed first. When this returns, both ends of the transport
    /// are completed: <c>client.Output</c> with a <see cref="Microsoft.AspNetCore.Connections.ConnectionResetException"/>
    /// when the upstream reset (Kestrel then resets the client), without an error otherwise.
    /// Kestrel completing them again when the connection middleware returns is harmless.
    /// </param>
    /// <param name="upstream">A connected stream socket. The relay owns it from here: it is disposed (reset when the client reset) before this returns.</param>
    /// <param name="idleTimeout">How long both directions may stay silent, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellation">
    /// Ends the relay with <see cref="RelayEnd.Cancelled"/> (e.g. host shutdown). Not Kestrel's
    /// <c>ConnectionContext.ConnectionClosed</c>: Kestrel fires that when the client merely
    /// half-closes, which is a normal part of a tunnel.
    /// </param>
    /// <param name="clientSocket">
    /// The socket under <paramref name="client"/> (<see cref="DirectSocketOf"/>), or null. Given,
    /// upstream → client bytes go straight to it (spliced on Linux) instead of through
    /// <c>client.Output</c>; the caller must have written nothing to <c>client.Output</c>. Kestrel
    /// keeps the socket: it closes it once <c>client.Output</c> completes, as without it.
    /// </param>
    /// <param name="clientReads">
    /// With <paramref name="clientSocket"/>: the client transport's offer to hand over the socket's
    /// reads (<see cref="DirectReadsOf"/>), or null. Given, client → upstream bytes are spliced too,
    /// after whatever the transport had already received.
    /// </param>
    public ValueTask<RelayResult> RunAsync(
        IDuplexPipe client, Socket upstream, TimeSpan idleTimeout, CancellationToken cancellation, Socket? clientSocket = null, IClientSocketFeature? clientReads = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(upstream);
        if (idleTimeout <= TimeSpan.Zero && idleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, "The idle timeout must be positive or infinite.");
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        return new RelaySession(this, client, upstream, idleTimeout, clientSocket, clientReads).RunAsync(cancellation);
    }

    /// <summary>
    /// The client's socket when <paramref name="connection"/> is a Kestrel socket-transport
    /// connection, else null. Only for a connection whose <c>Transport</c> is still Kestrel's own:
    /// bytes written to the socket bypass any wrapper (TLS, logging) a middleware put around it.
    /// </summary>
    public static Socket? DirectSocketOf(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Features.Get<IConnectionSocketFeature>()?.Socket is { SocketType: SocketType.Stream } socket ? socket : null;
    }

    /// <summary>
    /// The offer of <paramref name="connection"/>'s transport to hand over its socket's reads (the
    /// gateway's own transport makes it; Kestrel's does not), for a connection whose <c>Transport</c>
    /// is still the transport's own, like <see cref="DirectSocketOf"/>.
    /// </summary>
    public static IClientSocketFeature? DirectReadsOf(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Features.Get<IClientSocketFeature>() is { } reads && ReferenceEquals(connection.Transport, reads) ? reads : null;
    }

    /// <summary>Stops the heartbeat; tunnels still running keep relaying but no longer time out.</summary>
    public void Dispose()
    {
        _disposed = true;
        _heartbeat.Dispose();
    }

    internal void Watch(RelaySession session)
    {
        lock (_gate)
        {
            session.Next = _head;
            if (_head is not null)
            {
                _head.Previous = session;
            }

            _head = session;
        }
    }

    internal void Unwatch(RelaySession session)
    {
        lock (_gate)
        {
            if (session.Previous is null)
            {
                if (_head == session)
                {
                    _head = session.Next;
                }
            }
            else
            {
                session.Previous.Next = session.Next;
            }

            if (session.Next is not null)
            {
                session.Next.Previous = session.Previous;
            }

            session.Next = null;
            session.Previous = null;
        }
    }

    private void Beat()
    {
        // A slow beat (thousands of tunnels on a busy box) must not overlap the next one.
        if (Interlocked.Exchange(ref _beating, 1) != 0)
        {
            return;
        }

        try
        {
            long now = Time.GetTimestamp();
            lock (_gate)
            {
                for (RelaySession? session = _head; session is not null; session = session.Next)
                {
                    session.CheckIdle(now);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }
}
