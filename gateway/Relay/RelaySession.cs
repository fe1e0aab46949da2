using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Relay;

/// <summary>
/// One tunnel being relayed: the two direction loops (<c>RelaySession.ClientToUpstream.cs</c>,
/// <c>RelaySession.UpstreamToClient.cs</c>, or <c>RelaySession.Spliced.cs</c> for each direction
/// whose client socket the caller handed over), how they stop each other, and the idle check the
/// <see cref="TunnelRelay"/> heartbeat runs.
/// </summary>
/// <remarks>
/// Stopping is one compare-and-swap on <see cref="_end"/> (the first cause wins) followed by
/// waking whatever the loops are blocked on: a pending pipe read or flush is cancelled, and the
/// upstream socket is shut down (or reset), which completes a pending send or receive. Exceptions
/// a loop sees after the end was decided are consequences of that wake-up and are ignored.
/// </remarks>
internal sealed partial class RelaySession : IThreadPoolWorkItem
{
    private const int Running = -1;
    private const string UpstreamResetMessage = "The upstream connection was reset.";

    private readonly TunnelRelay _relay;
    private readonly IDuplexPipe _client;
    private readonly Socket _upstream;
    private readonly Socket? _clientSocket;
    private readonly IClientSocketFeature? _clientReads;
    private readonly TimeSpan _idleTimeout;

    // Direct modes only: wakes a send to a client that stopped reading, and a wait for the client's
    // bytes. Never disposed: it has no timer and no wait handle, and Wake may still cancel it after
    // the session finished.
    private readonly CancellationTokenSource? _clientSendCancellation;

    // Each counter has one writer (its direction loop); the heartbeat only reads them.
    private long _bytesFromClient;
    private long _bytesToClient;

    private int _end = Running;
    private Exception? _error;
    private volatile bool _clientOutputCompleted;
    private volatile bool _finished;

    // Heartbeat state: touched only by TunnelRelay.Beat, under the relay's lock.
    private long _bytesAtLastBeat;
    private long _lastActivity;

    public RelaySession(TunnelRelay relay, IDuplexPipe client, Socket upstream, TimeSpan idleTimeout, Socket? clientSocket, IClientSocketFeature? clientReads)
    {
        _relay = relay;
        _client = client;
        _upstream = upstream;
        _idleTimeout = idleTimeout;
        _clientSocket = clientSocket;
        _clientReads = clientSocket is null ? null : clientReads;
        _clientSendCancellation = clientSocket is null ? null : new CancellationTokenSource();
    }

    /// <summary>Intrusive links of the relay's list of watched sessions (no allocation per tunnel for the list).</summary>
    internal RelaySession? Next { get; set; }

    /// <inheritdoc cref="Next"/>
    internal RelaySession? Previous { get; set; }

    private bool IsEnded => Volatile.Read(ref _end) != Running;

    public async ValueTask<RelayResult> RunAsync(CancellationToken cancellation)
    {
        bool watched = _idleTimeout != Timeout.InfiniteTimeSpan;
        CancellationTokenRegistration registration = default;
        RelayEnd end = RelayEnd.Completed;
        try
        {
            if (watched)
            {
                _lastActivity = _relay.Time.GetTimestamp();
                _relay.Watch(this);
            }

            // Registered once per tunnel; runs Stop inline on the cancelling thread (fires at once if already cancelled).
            registration = cancellation.UnsafeRegister(static state => ((RelaySession)state!).Stop(RelayEnd.Cancelled, null), this);

            ValueTask toUpstream = _clientReads is null ? ClientToUpstreamAsync() : ClientToUpstreamDirectAsync(_clientReads);
            ValueTask toClient = _clientSocket is null ? UpstreamToClientAsync() : SpliceAsync(_upstream, _clientSocket, toClient: true);
            await toUpstream;
            await toClient;
        }
        finally
        {
            registration.Dispose();
            if (watched)
            {
                _relay.Unwatch(this);
            }

            Interlocked.CompareExchange(ref _end, (int)RelayEnd.Completed, Running);
            end = (RelayEnd)Volatile.Read(ref _end);
            Finish(end);
        }

        return new RelayResult(_bytesFromClient, _bytesToClient, end);
    }

    /// <summary>Called by the heartbeat under the relay's lock: ends the tunnel if no byte moved for the idle timeout.</summary>
    internal void CheckIdle(long now)
    {
        if (IsEnded)
        {
            return;
        }

        long moved = Volatile.Read(ref _bytesFromClient) + Volatile.Read(ref _bytesToClient);
        if (moved != _bytesAtLastBeat)
        {
            _bytesAtLastBeat = moved;
            _lastActivity = now;
            return;
        }

        if (_relay.Time.GetElapsedTime(_lastActivity, now) >= _idleTimeout &&
            Interlocked.CompareExchange(ref _end, (int)RelayEnd.IdleTimeout, Running) == Running)
        {
            // Wake the loops off the heartbeat thread: their continuations may run inline and
            // must not run under the relay's lock. The session is its own work item: no allocation.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Runs on the thread pool after the heartbeat decided the tunnel is idle.</summary>
    void IThreadPoolWorkItem.Execute() => Wake(RelayEnd.IdleTimeout);

    private void Stop(RelayEnd reason, Exception? error)
    {
        if (Interlocked.CompareExchange(ref _end, (int)reason, Running) != Running)
        {
            return;
        }

        _error = error;
        Wake(reason);
    }

    private void Wake(RelayEnd reason)
    {
        if (_finished)
        {
            return;
        }

        // Both are sticky: a loop not blocked right now sees the cancellation on its next call.
        _client.Input.CancelPendingRead();
        _client.Output.CancelPendingFlush();
        _clientSendCancellation?.Cancel();
        try
        {
            if (reason == RelayEnd.ClientReset)
            {
                // Pass the reset on: linger 0 makes the close an RST, and completes pending operations.
                _upstream.Close(timeout: 0);
            }
            else
            {
                // Wakes a pending receive (it sees end of stream) and a pending send (it fails); FIN to the upstream.
                _upstream.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset or closed: nothing left to wake.
        }
    }

    private void Finish(RelayEnd end)
    {
        _finished = true;
        _client.Input.Complete();
        if (!_clientOutputCompleted)
        {
            _clientOutputCompleted = true;
            if (end == RelayEnd.UpstreamReset)
            {
                // Kestrel's socket transport answers an output completed with an error by resetting the client.
                _client.Output.Complete(_error is null
                    ? new ConnectionResetException(UpstreamResetMessage)
                    : new ConnectionResetException(UpstreamResetMessage, _error));
            }
            else
            {
                _client.Output.Complete();
            }
        }

        if (end == RelayEnd.ClientReset)
        {
            _upstream.Close(timeout: 0);
        }
        else
        {
            _upstream.Dispose();
        }
    }
}
