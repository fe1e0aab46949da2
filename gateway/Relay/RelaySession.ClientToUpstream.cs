using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Relay;

internal sealed partial class RelaySession
{
    /// <summary>
    /// Client → upstream: each segment the transport already holds is sent as it is (no copy,
    /// no buffer of ours); the reader is advanced only once the upstream took the bytes, so a slow
    /// upstream fills the transport's input pipe and Kestrel stops reading the client (back-pressure).
    /// </summary>
    private async ValueTask ClientToUpstreamAsync()
    {
        PipeReader input = _client.Input;
        bool upstreamSide = false;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync();
                if (result.IsCanceled || IsEnded)
                {
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                upstreamSide = true;
                await SendUpstreamAsync(buffer);
                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    // The client sent FIN: pass it on and keep relaying the other way.
                    _upstream.Shutdown(SocketShutdown.Send);
                    return;
                }

                upstreamSide = false;
            }
        }
        catch (ConnectionAbortedException) when (!upstreamSide && _clientOutputCompleted)
        {
            // Kestrel's socket transport cannot half-close (dotnet/aspnetcore#14937): completing the
            // output after the upstream's FIN closes the whole client socket, and the input then
            // ends with this exception. That is our own doing, not a client failure.
            ShutdownUpstreamSend();
        }
        catch (Exception ex)
        {
            Stop(upstreamSide ? RelayEnd.UpstreamReset : RelayEnd.ClientReset, ex);
        }
        finally
        {
            input.Complete();
        }
    }

    /// <summary>
    /// Client → upstream once the client's transport let go of the socket's reads: the bytes it had
    /// already received (pipelined after a CONNECT head, or the peeked ClientHello) go first, then
    /// the socket is spliced like the other direction.
    /// </summary>
    private async ValueTask ClientToUpstreamDirectAsync(IClientSocketFeature clientReads)
    {
        PipeReader input = _client.Input;
        bool upstreamSide = false;
        try
        {
            clientReads.StopReading();
            if (input.TryRead(out ReadResult result))
            {
                if (result.IsCanceled || IsEnded)
                {
                    return;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                upstreamSide = true;
                await SendUpstreamAsync(buffer);
                upstreamSide = false;
                input.AdvanceTo(buffer.End);
            }
        }
        catch (Exception ex)
        {
            Stop(upstreamSide ? RelayEnd.UpstreamReset : RelayEnd.ClientReset, ex);
            return;
        }

        await SpliceAsync(clientReads.Socket, _upstream, toClient: false);
    }

    /// <summary>Sends each segment the client's transport holds as it is (no copy, no buffer of ours), counting the bytes.</summary>
    // Pooled: a send that waits on a slow upstream must not allocate a state machine per read.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendUpstreamAsync(ReadOnlySequence<byte> buffer)
    {
        foreach (ReadOnlyMemory<byte> segment in buffer)
        {
            if (!segment.IsEmpty)
            {
                // A stream socket's SendAsync completes when every byte was taken; it allocates
                // nothing after the first call (the socket caches its awaitable event args).
                await _upstream.SendAsync(segment, SocketFlags.None);
                _bytesFromClient += segment.Length;
            }
        }
    }

    private void ShutdownUpstreamSend()
    {
        try
        {
            _upstream.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Stop(RelayEnd.UpstreamReset, ex);
        }
    }
}
