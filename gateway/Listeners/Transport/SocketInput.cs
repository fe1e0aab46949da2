using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners.Transport;

/// <summary>
/// The client socket as a <see cref="PipeReader"/> that receives only when the application reads:
/// no receive loop, no buffer of its own while idle. A read first waits until the socket is readable
/// (<see cref="ReadinessWatch"/>), then rents one block and receives into it without blocking.
/// Semantics follow <see cref="Pipe"/>'s reader as Kestrel's socket transport feeds it: examined but
/// unconsumed bytes come back with the next read's new ones, FIN is <see cref="ReadResult.IsCompleted"/>,
/// a reset is a thrown <see cref="ConnectionResetException"/>, a closed connection a
/// <see cref="ConnectionAbortedException"/>.
/// </summary>
/// <remarks>One reader at a time (the <see cref="PipeReader"/> contract); <see cref="CancelPendingRead"/> from any thread.</remarks>
internal sealed class SocketInput(GatewayConnection connection) : PipeReader
{
    private BufferSegment? _head;
    private int _headStart;
    private BufferSegment? _tail;
    private BufferSegment? _spare;
    private bool _examinedAll = true;
    private bool _mayHaveData = true; // a new connection's first bytes have usually arrived with it
    private bool _ended;
    private bool _detached;
    private bool _completed;
    private Exception? _error;
    private volatile bool _cancelNext;
    private volatile bool _tokenCancelled;

    public override bool TryRead(out ReadResult result)
    {
        ThrowIfCompleted();
        if (_cancelNext)
        {
            _cancelNext = false;
            result = new ReadResult(Sequence(), isCanceled: true, isCompleted: _ended);
            return true;
        }

        ThrowIfFailed();
        if (_head is not null || _ended)
        {
            result = new ReadResult(Sequence(), isCanceled: false, isCompleted: _ended);
            return true;
        }

        result = default;
        return false;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        cancellationToken.ThrowIfCancellationRequested();
        if (TryResult(out ReadResult result))
        {
            return new ValueTask<ReadResult>(result);
        }

        return ReceiveAsync(cancellationToken);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        ThrowIfCompleted();
        if (_head is null)
        {
            _examinedAll = true;
        }
        else
        {
            var examinedSegment = (BufferSegment?)examined.GetObject();
            _examinedAll = examinedSegment is null || (examinedSegment == _tail && examined.GetInteger() >= _tail.End);
            Consume(consumed);
        }

        if (_examinedAll && !_ended && !_detached)
        {
            // The application is off doing something else: watch for the client closing meanwhile.
            connection.Watch.Arm();
        }
    }

    public override void CancelPendingRead()
    {
        _cancelNext = true;
        connection.Watch.Wake();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        ReleaseAll();
    }

    /// <summary>From here the relay reads the socket itself: this reader hands out only what it already holds, then the end.</summary>
    public void Detach()
    {
        _detached = true;
    }

    /// <summary>Ends reads with <paramref name="error"/> unless they already ended (the connection was aborted or closed).</summary>
    public void Fail(Exception error)
    {
        _error ??= error;
        connection.Watch.Wake();
    }

    private void CancelFromToken()
    {
        _tokenCancelled = true;
        connection.Watch.Wake();
    }

    private bool TryResult(out ReadResult result)
    {
        if (_cancelNext)
        {
            _cancelNext = false;
            result = new ReadResult(Sequence(), isCanceled: true, isCompleted: _ended);
            return true;
        }

        ThrowIfFailed();
        if ((_head is not null && !_examinedAll) || _ended || _detached)
        {
            _examinedAll = false;
            result = new ReadResult(Sequence(), isCanceled: false, isCompleted: _ended || _detached);
            return true;
        }

        result = default;
        return false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((SocketInput)s!).CancelFromToken(), this)
            : default;
        try
        {
            while (true)
            {
                if (_mayHaveData || connection.Watch.State is not (ReadinessState.Unknown or ReadinessState.Pending))
                {
                    if (Receive() && TryResult(out ReadResult received))
                    {
                        return received;
                    }
                }

                if (!await connection.Watch.WaitAsync())
                {
                    if (_tokenCancelled && cancellationToken.IsCancellationRequested)
                    {
                        _tokenCancelled = false;
                        throw new OperationCanceledException(cancellationToken);
                    }

                    if (TryResult(out ReadResult woken))
                    {
                        return woken;
                    }

                    continue;
                }

                _mayHaveData = true;
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    // One non-blocking receive into the tail block (a new one when it is full). False when the
    // socket had nothing after all: the next step is to wait.
    private bool Receive()
    {
        switch (connection.Watch.State)
        {
            case ReadinessState.Ended:
                _ended = true;
                return true;
            case ReadinessState.Failed:
                _error ??= connection.Watch.Error;
                return true;
        }

        if (_error is not null)
        {
            return true;
        }

        bool fresh = _tail is null || _tail.Available.Length == 0;
        if (fresh)
        {
            Append(NewSegment(BufferSegment.BlockSize));
        }

        Memory<byte> space = _tail!.Available;
        nint received = NativeSocket.Receive(connection.Socket, space.Span);
        connection.Watch.Forget();
        if (received > 0)
        {
            _tail.Commit((int)received);
            _examinedAll = false;

            // A full block says more is likely waiting: the next read tries at once instead of peeking first.
            _mayHaveData = received == space.Length;
            return true;
        }

        _mayHaveData = false;
        if (fresh)
        {
            DropEmptyTail();
        }

        if (received == 0)
        {
            _ended = true;
            return true;
        }

        if (received == -NativeSocket.EAgain)
        {
            return false;
        }

        _error ??= connection.ReceiveFailed(received);
        return true;
    }

    private ReadOnlySequence<byte> Sequence() =>
        _head is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_head, _headStart, _tail!, _tail!.End);

    private void Consume(SequencePosition consumed)
    {
        var segment = (BufferSegment?)consumed.GetObject() ?? _head!;
        int index = consumed.GetObject() is null ? _headStart : consumed.GetInteger();
        while (_head != segment)
        {
            BufferSegment done = _head!;
            _head = (BufferSegment?)done.Next;
            Recycle(done);
        }

        _headStart = index;
        if (_head == _tail && _headStart >= _tail!.End)
        {
            Recycle(_head!);
            _head = _tail = null;
            _headStart = 0;
        }
    }

    private BufferSegment NewSegment(int size)
    {
        BufferSegment segment = _spare ?? new BufferSegment();
        _spare = null;
        segment.Rent(size);
        return segment;
    }

    private void Append(BufferSegment segment)
    {
        if (_tail is null)
        {
            _head = _tail = segment;
            _headStart = 0;
        }
        else
        {
            _tail.Append(segment);
            _tail = segment;
        }
    }

    private void DropEmptyTail()
    {
        BufferSegment empty = _tail!;
        if (_head == empty)
        {
            _head = _tail = null;
            _headStart = 0;
        }
        else
        {
            BufferSegment previous = _head!;
            while (previous.Next != empty)
            {
                previous = (BufferSegment)previous.Next!;
            }

            previous.Unlink();
            _tail = previous;
        }

        Recycle(empty);
    }

    private void Recycle(BufferSegment segment)
    {
        segment.Release();
        _spare = segment;
    }

    private void ReleaseAll()
    {
        while (_head is not null)
        {
            BufferSegment done = _head;
            _head = (BufferSegment?)done.Next;
            done.Release();
        }

        _tail = null;
        _spare = null;
    }

    private void ThrowIfFailed()
    {
        if (_error is { } error)
        {
            throw error;
        }
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("Reading is not allowed after the reader was completed.");
        }
    }
}
