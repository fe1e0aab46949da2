namespace Gateway.Relay;

/// <summary>The two descriptors of a kernel pipe that <see cref="Splice"/> moves tunnel bytes through.</summary>
internal readonly record struct KernelPipe(int Read, int Write)
{
    /// <summary>False for <c>default</c>: no pipe.</summary>
    public bool IsOpen => Read > 0 && Write > 0;

    public void Close()
    {
        Splice.Close(Read);
        Splice.Close(Write);
    }
}
