package peer

import (
	"encoding/binary"
	"errors"
	"net"
	"strconv"

	"golang.org/x/sys/unix"
)

// errNoDiag reports that the sock_diag netlink interface is not available.
var errNoDiag = errors.New("sock_diag unavailable")

// Sizes of the kernel's inet_diag structures (linux/inet_diag.h).
const (
	sizeofSockID  = 48
	sizeofReqV2   = 8 + sizeofSockID
	sizeofDiagMsg = 4 + sizeofSockID + 20
	nlmsgHdrLen   = unix.SizeofNlMsghdr
)

// diagInode asks the kernel (NETLINK_SOCK_DIAG, an exact lookup, one hash
// probe however many sockets the machine has) for the inode of the TCP
// socket bound to src and connected to dst. It returns "" when there is
// none and errNoDiag when the interface cannot be used.
func diagInode(src, dst *net.TCPAddr) (string, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return "", errNoDiag
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 1}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	families := []int{unix.AF_INET6}
	if src.IP.To4() != nil && dst.IP.To4() != nil {
		// An IPv4 connection, from an IPv4 socket or a dual-stack one.
		families = []int{unix.AF_INET, unix.AF_INET6}
	}
	for _, family := range families {
		inode, err := diagOne(fd, family, src, dst)
		if err != nil || inode != "" {
			return inode, err
		}
	}
	return "", nil
}

func diagOne(fd, family int, src, dst *net.TCPAddr) (string, error) {
	req := make([]byte, nlmsgHdrLen+sizeofReqV2)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(req[8:], 1)
	r := req[nlmsgHdrLen:]
	r[0] = byte(family)
	r[1] = unix.IPPROTO_TCP
	ne.PutUint32(r[4:], 0xffffffff) // every state
	id := r[8:]
	binary.BigEndian.PutUint16(id[0:], uint16(src.Port))
	binary.BigEndian.PutUint16(id[2:], uint16(dst.Port))
	putIP(id[4:20], src.IP, family)
	putIP(id[20:36], dst.IP, family)
	ne.PutUint32(id[40:], 0xffffffff) // INET_DIAG_NOCOOKIE
	ne.PutUint32(id[44:], 0xffffffff)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return "", errNoDiag
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil || n < nlmsgHdrLen {
		return "", errNoDiag
	}
	switch ne.Uint16(buf[4:]) {
	case unix.NLMSG_ERROR:
		if n >= nlmsgHdrLen+4 {
			if errno := -int32(ne.Uint32(buf[nlmsgHdrLen:])); unix.Errno(errno) == unix.ENOENT {
				return "", nil
			}
		}
		return "", errNoDiag
	case unix.SOCK_DIAG_BY_FAMILY:
		if n < nlmsgHdrLen+sizeofDiagMsg {
			return "", errNoDiag
		}
		msg := buf[nlmsgHdrLen:]
		inode := ne.Uint32(msg[sizeofDiagMsg-4:])
		if inode == 0 {
			return "", nil
		}
		return strconv.FormatUint(uint64(inode), 10), nil
	}
	return "", errNoDiag
}

// putIP writes ip as the kernel's __be32[4] of family.
func putIP(dst []byte, ip net.IP, family int) {
	if family == unix.AF_INET {
		copy(dst, ip.To4())
		return
	}
	copy(dst, ip.To16())
}
