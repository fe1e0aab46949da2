namespace Vmm.Microvm;

/// <summary>The files of one VM, all in its sandbox's directory.</summary>
/// <param name="Directory">The sandbox's own directory (<c>{stateDir}/vmm/files/NAME</c>).</param>
internal sealed record VmFiles(string Directory)
{
    /// <summary>QEMU's pid file (QEMU writes and locks it).</summary>
    public string PidFile => Path.Combine(Directory, "qemu.pid");

    /// <summary>The guest's serial console: kernel messages, /init and the agent's ready line.</summary>
    public string ConsoleLog => Path.Combine(Directory, "console.log");

    /// <summary>The unix socket behind the guest's virtio serial port <c>vmm.agent</c>.</summary>
    public string AgentSocket => Path.Combine(Directory, "agent.sock");
}
