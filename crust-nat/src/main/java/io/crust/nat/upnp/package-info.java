/**
 * Internal: UPnP Internet Gateway Device port mapping on jupnp (SSDP discovery, device and service
 * descriptions, SOAP), with its HTTP client SPI on java.net.http, trust checks on description URLs, and
 * WANIPConnection (v1, v2) / WANPPPConnection mapping logic.
 */
package io.crust.nat.upnp;
