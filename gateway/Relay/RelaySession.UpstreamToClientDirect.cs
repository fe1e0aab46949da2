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
    /// Upstream → client when the caller handed over the client's socket: bytes bypass Kestrel's
    /// output pipe (which would take them 4 KiB per receive and copy them twice). With splice(2)
    /// they never enter the process: upstream → kernel pipe → client socket. The upstream's FIN
    /// reaches the client as a real half-close (shutdown of the socket's send side), so the client
    /// can go on sending.
    /// </summary>
    /// <remarks>
    /// Safe because nothing else writes to this socket: the caller wrote nothing to the transport's
    /// output (or wrote it straight to the socket), and Kestrel's send loop only touches the socket
    /// when that output has bytes or completes, which happens in <see cref="Finish"/>, after this
    /// loop (or when Kestrel aborts the connection: see <see cref="Splice"/> for why that is safe).
    /// Kestrel's receive loop keeps owning the other direction.
    /// </remarks>
    private async ValueTask UpstreamToClientDirectAsync(Socket client)
    {
        bool splice = Splice.CanSplice(_upstream, client);
        bool clientSide = false;
        KernelPipe pipe = default;
        int copiesWithoutWaiting = 0;
        try
        {
            while (!IsEnded)
            {
                // Readiness first (zero-byte receive): an idle tunnel holds no pipe and no buffer.
                ValueTask<int> readable = _upstream.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                copiesWithoutWaiting = readable.IsCompleted ? copiesWithoutWaiting + 1 : 0;
                await readable;
                if (splice && KernelPipePool.TryRent(out pipe))
                {
                    // Splice until the upstream has nothing more to give right now, or one turn is used up.
                    bool more = true;
                    bool drained = false;
                    for (int turn = 0; more && turn < SplicesPerTurn; turn++)
                    {
                        nint spliced = Splice.FromSocket(_upstream, pipe.Write, SpliceRequest);
                        if (spliced == -Splice.EAgain)
                        {
                            drained = true;
                            break;
                        }

                        if (spliced < 0)
                        {
                            throw Splice.Error(spliced);
                        }

                        clientSide = true;
                        if (spliced > 0)
                        {
                            await DrainPipeAsync(pipe, (int)spliced, client);
                        }
                        else
                        {
                            // The upstream sent FIN: pass it on; the pipe is empty, like after every drain.
                            EndClientOutput(client);
                            more = false;
                        }

                        clientSide = false;
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
                        // Let other connections' work run: while the upstream keeps up, the readiness
                        // wait completes at once and this loop would never give its thread back.
                        await Task.Yield();
                    }
                }
                else if (!await CopyChunkAsync(client))
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
            Stop(clientSide ? RelayEnd.ClientReset : RelayEnd.UpstreamReset, ex);
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
    private async ValueTask DrainPipeAsync(KernelPipe pipe, int pending, Socket client)
    {
        while (pending > 0)
        {
            nint sent = Splice.ToSocket(pipe.Read, client, pending);
            if (sent > 0)
            {
                pending -= (int)sent;
                _bytesToClient += sent;
                continue;
            }

            if (sent != -Splice.EAgain)
            {
                throw Splice.Error(sent);
            }

            // The client's send buffer is full, and .NET waits for room only inside a send: the
            // rest goes through a buffer once, then splicing resumes.
            byte[] buffer = ArrayPool<byte>.Shared.Rent(pending);
            try
            {
                Splice.ReadPipe(pipe.Read, buffer.AsSpan(0, pending));
                await client.SendAsync(buffer.AsMemory(0, pending), SocketFlags.None, _clientSendCancellation!.Token);
                _bytesToClient += pending;
                pending = 0;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Without a pipe (none could be created, or no splice here): one receive, one send, no Kestrel pipe.</summary>
    /// <returns>False once the upstream's end of stream was passed on.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CopyChunkAsync(Socket client)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            int received = await _upstream.ReceiveAsync(buffer, SocketFlags.None);
            try
            {
                if (received == 0)
                {
                    EndClientOutput(client);
                    return false;
                }

                await client.SendAsync(buffer.AsMemory(0, received), SocketFlags.None, _clientSendCancellation!.Token);
            }
            catch (Exception ex)
            {
                Stop(RelayEnd.ClientReset, ex);
                return false;
            }

            _bytesToClient += received;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EndClientOutput(Socket client)
    {
        if (!IsEnded)
        {
            // The upstream sent FIN: a real half-close, the client may still send.
            client.Shutdown(SocketShutdown.Send);
        }
    }
}
