/** Rhizome net module. */
package net.rhizome.net;
