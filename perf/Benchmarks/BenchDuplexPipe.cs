using System.IO.Pipelines;

namespace Benchmarks;

/// <summary>
/// Two pipes standing in for Kestrel's <c>ConnectionContext.Transport</c>, with Kestrel's
/// default thresholds: 1 MiB for what the client sent (<c>MaxRequestBufferSize</c>),
/// 64 KiB for what it receives (<c>MaxResponseBufferSize</c>), and 4 KiB pooled blocks like its
/// transport's memory pool (<see cref="BlockMemoryPool"/>).
/// </summary>
internal sealed class BenchDuplexPipe : IDuplexPipe
{
    private static readonly BlockMemoryPool s_pool = new();

    public BenchDuplexPipe()
    {
        FromClient = new Pipe(new PipeOptions(s_pool, pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
        ToClient = new Pipe(new PipeOptions(s_pool, pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
    }

    public Pipe FromClient { get; }

    public Pipe ToClient { get; }

    public PipeReader Input => FromClient.Reader;

    public PipeWriter Output => ToClient.Writer;
}
