/**
 * Internal: UPnP Internet Gateway Device client: SSDP discovery, device description, SOAP control of
 * WANIPConnection (v1, v2) and WANPPPConnection.
 */
package io.crust.nat.upnp;
