using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Gateway.Relay;

internal sealed partial class RelaySession
{
    /// <summary>What one splice asks for: the kernel moves at most what the pipe holds (64 KiB by default).</summary>
    private const int SpliceRequest = 1024 * 1024;

    /// <summary>Splices (up to 64 KiB each), or copies, in a row without waiting before the loop yields its thread to other work.</summary>
    private const int SplicesPerTurn = 16;

    /// <summary>One receive when no pipe is available: the size of the pipe a splice would have used.</summary>
    private const int CopyChunk = 64 * 1024;

    /// <summary>
    /// One direction socket to socket: upstream → client when the caller handed over the client's
    /// socket (bytes bypass Kestrel's output pipe, which would take them 4 KiB per receive and copy
    /// them twice), and client → upstream too when the client's transport let the relay take its
    /// reads (<see cref="IClientSocketFeature"/>). With splice(2) the bytes never enter the
    /// process: socket → kernel pipe → socket. A FIN is passed on as a real half-close (shutdown of
    /// the other socket's send side), so the other direction goes on.
    /// </summary>
    /// <remarks>
    /// Safe because nothing else reads <paramref name="from"/> or writes <paramref name="to"/>: the
    /// caller wrote nothing to the transport's output (or wrote it straight to the socket), Kestrel's
    /// send loop only touches the socket when that output has bytes or completes, which happens in
    /// <see cref="Finish"/>, after this loop (or when Kestrel aborts the connection: see
    /// <see cref="Splice"/> for why that is safe), and a transport whose reads were taken never
    /// reads again.
    /// </remarks>
    private async ValueTask SpliceAsync(Socket from, Socket to, bool toClient)
    {
        bool splice = Splice.CanSplice(from, to);
        bool writeSide = false;
        KernelPipe pipe = default;
        int copiesWithoutWaiting = 0;

        // A wait on the client's socket is woken by cancellation; one on the upstream by its shutdown.
        CancellationToken wake = toClient ? default : _clientSendCancellation!.Token;
        try
        {
            while (!IsEnded)
            {
                // Readiness first (zero-byte receive): an idle tunnel holds no pipe and no buffer.
                ValueTask<int> readable = from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, wake);
                copiesWithoutWaiting = readable.IsCompleted ? copiesWithoutWaiting + 1 : 0;
                await readable;
                if (splice && KernelPipePool.TryRent(out pipe))
                {
                    // Splice until the source has nothing more to give right now, or one turn is used up.
                    bool more = true;
                    bool drained = false;
                    for (int turn = 0; more && turn < SplicesPerTurn; turn++)
                    {
                        nint spliced = Splice.FromSocket(from, pipe.Write, SpliceRequest);
                        if (spliced == -Splice.EAgain)
                        {
                            drained = true;
                            break;
                        }

                        if (spliced < 0)
                        {
                            throw Splice.Error(spliced);
                        }

                        writeSide = true;
                        if (spliced > 0)
                        {
                            await DrainPipeAsync(pipe, (int)spliced, to, toClient);
                        }
                        else
                        {
                            // The source sent FIN: pass it on; the pipe is empty, like after every drain.
                            EndOutput(to);
                            more = false;
                        }

                        writeSide = false;
                        more &= !IsEnded;
                    }

                    // Every byte spliced in was spliced (or read) out: the pipe is empty.
                    KernelPipePool.Return(pipe);
                    pipe = default;
                    if (!more)
                    {
                        return;
                    }

                    if (!drained)
                    {
                        // Let other connections' work run: while the source keeps up, the readiness
                        // wait completes at once and this loop would never give its thread back.
                        await Task.Yield();
                    }
                }
                else if (!await CopyChunkAsync(from, to, toClient))
                {
                    return;
                }
                else if (copiesWithoutWaiting >= SplicesPerTurn)
                {
                    // As above: a copy loop that never waits must still give its thread back now and then.
                    copiesWithoutWaiting = 0;
                    await Task.Yield();
                }
            }
        }
        catch (Exception ex)
        {
            // A failure writing to the client, or reading from it, is the client's.
            Stop(toClient == writeSide ? RelayEnd.ClientReset : RelayEnd.UpstreamReset, ex);
        }
        finally
        {
            if (pipe.IsOpen)
            {
                // It may still hold bytes: never hand it to another tunnel.
                pipe.Close();
            }
        }
    }

    /// <summary>Moves <paramref name="pending"/> bytes the pipe holds into the client socket.</summary>
    /// <remarks>Pooled builder: it goes asynchronous each time the client's buffer is full, which must not allocate per chunk.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainPipeAsync(KernelPipe pipe, int pending, Socket to, bool toClient)
    {
        while (pending > 0)
        {
            nint sent = Splice.ToSocket(pipe.Read, to, pending);
            if (sent > 0)
            {
                pending -= (int)sent;
                Count(toClient, sent);
                continue;
            }

            if (sent != -Splice.EAgain)
            {
                throw Splice.Error(sent);
            }

            // The receiver's send buffer is full, and .NET waits for room only inside a send: the
            // rest goes through a buffer once, then splicing resumes.
            byte[] buffer = ArrayPool<byte>.Shared.Rent(pending);
            try
            {
                Splice.ReadPipe(pipe.Read, buffer.AsSpan(0, pending));
                await to.SendAsync(buffer.AsMemory(0, pending), SocketFlags.None, _clientSendCancellation!.Token);
                Count(toClient, pending);
                pending = 0;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Without a pipe (none could be created, or no splice here): one receive, one send, no Kestrel pipe.</summary>
    /// <returns>False once the source's end of stream was passed on.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CopyChunkAsync(Socket from, Socket to, bool toClient)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            int received = await from.ReceiveAsync(buffer, SocketFlags.None, toClient ? default : _clientSendCancellation!.Token);
            try
            {
                if (received == 0)
                {
                    EndOutput(to);
                    return false;
                }

                await to.SendAsync(buffer.AsMemory(0, received), SocketFlags.None, _clientSendCancellation!.Token);
            }
            catch (Exception ex)
            {
                Stop(toClient ? RelayEnd.ClientReset : RelayEnd.UpstreamReset, ex);
                return false;
            }

            Count(toClient, received);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EndOutput(Socket to)
    {
        if (!IsEnded)
        {
            // The source sent FIN: a real half-close, the other side may still send.
            to.Shutdown(SocketShutdown.Send);
        }
    }

    // Each counter has one writer: the loop of its direction.
    private void Count(bool toClient, long bytes)
    {
        if (toClient)
        {
            _bytesToClient += bytes;
        }
        else
        {
            _bytesFromClient += bytes;
        }
    }
}
