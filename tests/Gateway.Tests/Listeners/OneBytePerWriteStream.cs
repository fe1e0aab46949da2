using System.Net.Sockets;

namespace Gateway.Tests.Listeners;

/// <summary>A socket stream that sends every byte as its own segment (NoDelay), to split a ClientHello as badly as TCP may.</summary>
internal sealed class OneBytePerWriteStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
{
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            await base.WriteAsync(buffer.Slice(i, 1), cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
