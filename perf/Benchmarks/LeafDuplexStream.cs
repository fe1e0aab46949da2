using System.IO.Pipelines;

namespace Benchmarks;

/// <summary>
/// One end of an in-memory connection made of two pipes, so a TLS handshake benchmark measures
/// TLS and nothing of the kernel's loopback.
/// </summary>
internal sealed class LeafDuplexStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly Stream _input = input.AsStream();
    private readonly Stream _output = output.AsStream();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Both ends of a fresh connection.</summary>
    public static (LeafDuplexStream Client, LeafDuplexStream Server) CreatePair()
    {
        var toServer = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(useSynchronizationContext: false));
        return (new LeafDuplexStream(toClient.Reader, toServer.Writer), new LeafDuplexStream(toServer.Reader, toClient.Writer));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

    public override void Flush() => _output.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _output.Dispose();
        }

        base.Dispose(disposing);
    }
}
