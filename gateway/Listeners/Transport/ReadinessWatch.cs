using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners.Transport;

/// <summary>
/// Whether a client socket has bytes, an end of stream or an error waiting, learnt without
/// taking any of it: a one-byte <c>MSG_PEEK</c> receive kept outstanding while nobody reads. It is
/// what lets the input wait before it rents a buffer (an idle connection holds none), and what tells
/// the connection that its client closed or reset while the application is busy elsewhere
/// (deciding, dialling, holding for approval), as Kestrel's always-running receive loop does.
/// </summary>
/// <remarks>
/// One per connection, reused for every wait: the event args cache their awaitable state in the
/// socket engine, so a wait allocates nothing. Never cancelled: a wait the reader gave up on (a
/// cancelled read) stays outstanding and simply records what it finds.
/// </remarks>
internal sealed class ReadinessWatch : SocketAsyncEventArgs, IValueTaskSource<bool>
{
    // Written by every connection's peek and never read: one byte the kernel may copy into.
    private static readonly byte[] s_peekByte = new byte[1];

    private readonly GatewayConnection _connection;
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _waiter;
    private ReadinessState _state;
    private bool _waiting;

    public ReadinessWatch(GatewayConnection connection)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _connection = connection;
        _waiter.RunContinuationsAsynchronously = false;
        SetBuffer(s_peekByte, 0, 1);
    }

    /// <summary>What the last peek found.</summary>
    public ReadinessState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The error a failed peek stands for (<see cref="ReadinessState.Failed"/>).</summary>
    public Exception? Error { get; private set; }

    /// <summary>Starts a peek unless one is outstanding or the answer is already known.</summary>
    public void Arm()
    {
        lock (_gate)
        {
            if (_state != ReadinessState.Unknown)
            {
                return;
            }

            _state = ReadinessState.Pending;
        }

        bool pending;
        try
        {
            // Every time: an asynchronous completion overwrites the flags with the ones received,
            // and a receive without MSG_PEEK would take the byte.
            SocketFlags = SocketFlags.Peek;
            pending = _connection.Socket.ReceiveAsync(this);
        }
        catch (ObjectDisposedException)
        {
            Record(SocketError.OperationAborted, 0);
            return;
        }

        if (!pending)
        {
            Record(SocketError, BytesTransferred);
        }
    }

    /// <summary>The reader took what the last peek announced: the next wait asks the socket again.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            if (_state == ReadinessState.Readable)
            {
                _state = ReadinessState.Unknown;
            }
        }
    }

    /// <summary>Completes (true) once the socket has something to say; false when <see cref="Wake"/> ended the wait first.</summary>
    public ValueTask<bool> WaitAsync()
    {
        Arm();
        lock (_gate)
        {
            if (_state != ReadinessState.Pending)
            {
                return new ValueTask<bool>(true);
            }

            _waiting = true;
            _waiter.Reset();
            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    /// <summary>Ends a wait in progress with false (a cancelled read); the peek stays outstanding.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        _waiter.SetResult(false);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Record(e.SocketError, e.BytesTransferred);

    private void Record(SocketError error, int transferred)
    {
        ReadinessState state = error switch
        {
            SocketError.Success => transferred > 0 ? ReadinessState.Readable : ReadinessState.Ended,
            _ => ReadinessState.Failed,
        };
        bool wake;
        lock (_gate)
        {
            if (state == ReadinessState.Failed)
            {
                Error = error is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown
                    ? new ConnectionAbortedException("The connection was closed.")
                    : new ConnectionResetException("Connection reset by peer", new SocketException((int)error));
            }

            _state = state;
            wake = _waiting;
            _waiting = false;
        }

        if (state != ReadinessState.Readable)
        {
            // Kestrel's transport fires ConnectionClosed when its receive loop sees the end or an error.
            _connection.OnReceiveEnded();
        }

        if (wake)
        {
            _waiter.SetResult(true);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
