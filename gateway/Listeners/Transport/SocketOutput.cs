using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners.Transport;

/// <summary>
/// The client socket as a <see cref="PipeWriter"/>: bytes gather in pooled blocks and
/// <see cref="FlushAsync"/> sends them on the caller's thread, without a send loop or a second pipe.
/// A flush completes once the kernel took every byte, which is the back-pressure: while the client
/// does not read, the flush waits (asynchronously, in the socket engine). A client that reset makes
/// the flush report <see cref="FlushResult.IsCompleted"/>, as Kestrel's transport does when its send
/// loop fails, and closes the connection.
/// </summary>
internal sealed class SocketOutput(GatewayConnection connection) : PipeWriter
{
    private BufferSegment? _head;
    private int _headStart;
    private BufferSegment? _tail;
    private BufferSegment? _spare;
    private long _unflushed;
    private bool _completed;
    private bool _flushing;
    private CancellationTokenSource? _flushCancellation;
    private volatile bool _cancelNext;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        if (_tail is null || _tail.Available.Length < Math.Max(sizeHint, 1))
        {
            BufferSegment segment = _spare ?? new BufferSegment();
            _spare = null;
            segment.Rent(sizeHint);
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

        return _tail.Available;
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (_tail is null || (uint)bytes > (uint)_tail.Available.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "Advanced past the memory that was asked for.");
        }

        _tail.Commit(bytes);
        _unflushed += bytes;
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_cancelNext)
        {
            _cancelNext = false;
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: connection.IsClosed));
        }

        if (connection.IsClosed)
        {
            Discard();
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
        }

        // Most flushes fit the socket's send buffer: sent here and now, nothing to wait for.
        if (SendNow())
        {
            return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: connection.IsClosed));
        }

        return SendAsync(cancellationToken);
    }

    public override void CancelPendingFlush()
    {
        _cancelNext = !_flushing;
        _flushCancellation?.Cancel();
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (exception is null && !connection.IsClosed)
        {
            // Bytes written but not flushed still go out, as from a completed Pipe; what the
            // socket cannot take right now is lost with the close that follows.
            SendNow();
        }

        Discard();
        _spare = null;
        connection.OnOutputCompleted(exception);
    }

    // True when nothing is left to send (all sent, or the connection failed and the bytes are dropped).
    private bool SendNow()
    {
        while (_head is not null)
        {
            int length = _head.End - _headStart;
            if (length > 0)
            {
                nint sent = NativeSocket.Send(connection.Socket, Pending(_head).Span);
                if (sent == -NativeSocket.EAgain)
                {
                    return false;
                }

                if (sent < 0)
                {
                    connection.SendFailed(NativeSocket.Error(sent));
                    Discard();
                    return true;
                }

                _unflushed -= sent;
                _headStart += (int)sent;
                if (sent < length)
                {
                    continue;
                }
            }

            ReleaseHead();
        }

        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> SendAsync(CancellationToken cancellationToken)
    {
        _flushing = true;
        _flushCancellation ??= new CancellationTokenSource();
        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _flushCancellation)
            : default;
        try
        {
            while (_head is not null)
            {
                ReadOnlyMemory<byte> pending = Pending(_head);
                if (!pending.IsEmpty)
                {
                    // The socket engine waits for room and sends it all; a stream socket's send completes whole or fails.
                    await connection.Socket.SendAsync(pending, SocketFlags.None, _flushCancellation.Token);
                    _unflushed -= pending.Length;
                }

                ReleaseHead();
            }

            return new FlushResult(isCanceled: false, isCompleted: connection.IsClosed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // CancelPendingFlush: how much of the send went out is unknown, so the stream cannot go on.
            ResetCancellation();
            connection.Abort(new ConnectionAbortedException("A flush was cancelled mid-send."));
            Discard();
            return new FlushResult(isCanceled: true, isCompleted: true);
        }
        catch (OperationCanceledException)
        {
            ResetCancellation();
            connection.Abort(new ConnectionAbortedException("A flush was cancelled mid-send."));
            Discard();
            throw;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            connection.SendFailed(e is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted or SocketError.TimedOut }
                ? new ConnectionResetException(e.Message, e)
                : new ConnectionAbortedException(e.Message, e));
            Discard();
            return new FlushResult(isCanceled: false, isCompleted: true);
        }
        finally
        {
            _flushing = false;
            registration.Dispose();
        }
    }

    private ReadOnlyMemory<byte> Pending(BufferSegment segment) => segment.Memory[_headStart..];

    private void ResetCancellation()
    {
        _flushCancellation?.Dispose();
        _flushCancellation = null;
    }

    private void ReleaseHead()
    {
        BufferSegment done = _head!;
        _head = (BufferSegment?)done.Next;
        _headStart = 0;
        if (_head is null)
        {
            _tail = null;
        }

        done.Release();
        _spare ??= done;
    }

    private void Discard()
    {
        while (_head is not null)
        {
            ReleaseHead();
        }

        _unflushed = 0;
    }
}
