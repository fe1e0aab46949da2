using System.IO.Pipelines;
using System.Net.Sockets;

namespace Gateway.Relay;

internal sealed partial class RelaySession
{
    /// <summary>
    /// One block of Kestrel's pinned memory pool (its <c>MaxBufferSize</c>). A larger hint would
    /// make the pipe fall back to <c>ArrayPool</c> arrays outside the transport's pool, which under
    /// many concurrent tunnels run out and allocate.
    /// </summary>
    private const int ReceiveSizeHint = 4096;

    /// <summary>
    /// Upstream → client: wait for data with a zero-byte receive (no buffer held while the tunnel
    /// is idle), then receive straight into the transport's output pipe and flush, which waits
    /// while the client is slower than the upstream (back-pressure).
    /// </summary>
    private async ValueTask UpstreamToClientAsync()
    {
        PipeWriter output = _client.Output;
        bool clientSide = false;
        try
        {
            while (!IsEnded)
            {
                // .NET turns a zero-byte receive into a readiness wait (a 1-byte MSG_PEEK on Unix).
                await _upstream.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);

                Memory<byte> memory = output.GetMemory(ReceiveSizeHint);
                int received = await _upstream.ReceiveAsync(memory, SocketFlags.None);
                if (received == 0)
                {
                    if (!IsEnded)
                    {
                        // The upstream sent FIN: pass it on (the flag first: see ClientToUpstreamAsync).
                        _clientOutputCompleted = true;
                        output.Complete();
                    }

                    return;
                }

                output.Advance(received);
                _bytesToClient += received;

                clientSide = true;
                FlushResult flush = await output.FlushAsync();
                clientSide = false;
                if (flush.IsCanceled)
                {
                    return;
                }

                if (flush.IsCompleted)
                {
                    // The transport stopped reading: the client socket is gone.
                    Stop(RelayEnd.ClientReset, null);
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            Stop(clientSide ? RelayEnd.ClientReset : RelayEnd.UpstreamReset, ex);
        }
    }
}
