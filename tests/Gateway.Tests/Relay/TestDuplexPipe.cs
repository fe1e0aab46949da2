using System.IO.Pipelines;

namespace Gateway.Tests.Relay;

/// <summary>Two plain pipes standing in for a client transport that, unlike Kestrel's, can half-close.</summary>
internal sealed class TestDuplexPipe : IDuplexPipe
{
    public TestDuplexPipe()
    {
        FromClient = new Pipe();
        ToClient = new Pipe();
    }

    /// <summary>What the client sent: the test writes, the relay reads.</summary>
    public Pipe FromClient { get; }

    /// <summary>What the client receives: the relay writes, the test reads.</summary>
    public Pipe ToClient { get; }

    public PipeReader Input => FromClient.Reader;

    public PipeWriter Output => ToClient.Writer;
}
